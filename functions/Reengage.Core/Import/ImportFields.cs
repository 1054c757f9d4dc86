namespace Reengage.Core.Import;

/// <summary>The fields an import line can carry, named as on the patient (SPEC §3), in the order reports list them.</summary>
public enum ImportField
{
    Id,
    FirstName,
    Email,
    Locale,
    TherapistId,
    EmailConsent,
    CareStatus,
    ContactPreference,
    FocusArea,
    LastVisitAt,
    NextBookingAt,
}

public static class ImportFields
{
    public static IReadOnlyList<ImportField> All { get; } = Enum.GetValues<ImportField>();

    /// <summary>The field's name in reports and mappings: <c>firstName</c>, <c>lastVisitAt</c>.</summary>
    public static string Name(ImportField field)
    {
        var name = field.ToString();
        return char.ToLowerInvariant(name[0]) + name[1..];
    }

    public static bool TryParse(string name, out ImportField field)
    {
        foreach (var candidate in All)
        {
            if (Name(candidate) == name)
            {
                field = candidate;
                return true;
            }
        }
        field = default;
        return false;
    }

    /// <summary>
    /// Header names recognised without a mapping, compared after <see cref="CsvImport.NormalizeHeader"/> (accents, case,
    /// spaces and punctuation dropped): "Numéro dossier", "N° de dossier", "E-mail", "Prochain RDV" all match.
    /// </summary>
    public static IReadOnlyDictionary<ImportField, IReadOnlyList<string>> DefaultHeaders { get; } = new Dictionary<ImportField, IReadOnlyList<string>>
    {
        [ImportField.Id] = ["id", "identifiant", "idpatient", "patientid", "externalid", "numerodossier", "numerodedossier", "ndossier", "nodossier", "ndedossier", "dossier"],
        [ImportField.FirstName] = ["prenom", "firstname", "givenname"],
        [ImportField.Email] = ["email", "courriel", "mail", "adresseemail", "adressemail", "emailaddress", "adressecourriel"],
        [ImportField.Locale] = ["langue", "locale", "language", "lang"],
        [ImportField.TherapistId] = ["therapeute", "therapist", "therapistid", "praticien", "praticienne", "intervenant"],
        [ImportField.EmailConsent] = ["consentement", "consent", "emailconsent", "consentementemail", "consentementcourriel", "optin"],
        [ImportField.CareStatus] = ["statut", "status", "carestatus", "statutdesoins", "statutsuivi"],
        [ImportField.ContactPreference] = ["preferencedecontact", "preferencecontact", "contactpreference", "contact"],
        [ImportField.FocusArea] = ["focusarea", "focus", "domaine", "thematique", "theme"],
        [ImportField.LastVisitAt] = ["dernierevisite", "datedernierevisite", "dernierrdv", "dernierrendezvous", "lastvisit", "lastvisitat", "lastvisitdate", "lastappointment"],
        [ImportField.NextBookingAt] = ["prochainrdv", "prochainrendezvous", "dateprochainrdv", "nextappointment", "nextbooking", "nextbookingat", "nextvisit"],
    };
}
