// What the answer pages say, in French and English: the TypeScript pages' wording. Same tone as the emails: warm, no
// guilt, the door left open. French sentences speak as « nous » rather than splice the practice's name in (« de » + a
// name gives « de Le Cabinet… » or « de Cabinet… » depending on how the practice is called).
using System.Globalization;
using Reengage.Core.Model;

namespace Reengage.Functions.Answers;

public sealed record TitleBody(string Title, string Body);

public sealed record PageWording
{
    // French typography: a no-break space before « : » and inside guillemets, a narrow one before ? ! ;
    private const string NB = "\u00a0";
    private const string NN = "\u202f";

    /// <summary>Prefix of the page title when a form comes back with errors.</summary>
    public required string ErrorTitlePrefix { get; init; }
    public required string BookLinkLabel { get; init; }

    public required string LaterConfirmTitle { get; init; }
    public required Func<string, string[]> LaterConfirmBody { get; init; }
    public required string LaterConfirmButton { get; init; }

    public required string LaterDoneTitle { get; init; }
    public required Func<string, string, string> LaterDoneBody { get; init; }
    public required string LaterDoneBookLead { get; init; }
    public required string LaterDoneClosing { get; init; }

    public required string FeedbackTitle { get; init; }
    public required Func<string, string> FeedbackIntro { get; init; }
    public required string FeedbackAnsweredBefore { get; init; }
    public required string FeedbackLegend { get; init; }
    public required IReadOnlyList<string> FeedbackRatings { get; init; }
    public required string FeedbackCommentLabel { get; init; }
    public required string FeedbackCommentHint { get; init; }
    public required string FeedbackButton { get; init; }
    public required string FeedbackSummaryTitle { get; init; }
    public required string FeedbackRatingMissing { get; init; }
    public required string FeedbackRatingInvalid { get; init; }
    public required Func<int, string> FeedbackCommentTooLong { get; init; }
    public required string ErrorPrefix { get; init; }

    public required string ThanksTitle { get; init; }
    public required Func<string, string> ThanksBody { get; init; }
    public required string ThanksReplaced { get; init; }
    public required string ThanksBookLead { get; init; }

    public required string UnsubscribeTitle { get; init; }
    public required Func<string, string[]> UnsubscribeBody { get; init; }
    public required string UnsubscribeButton { get; init; }

    public required string UnsubscribedTitle { get; init; }
    public required Func<string, string> UnsubscribedBody { get; init; }
    public required string UnsubscribedChangeMind { get; init; }
    public required string UnsubscribedBookLead { get; init; }

    public required string BookUnavailableTitle { get; init; }
    public required Func<string, string> BookUnavailableBody { get; init; }

    public required string ExpiredTitle { get; init; }
    public required string ExpiredWhy { get; init; }
    public required string ExpiredBookLead { get; init; }
    public required string ExpiredLater { get; init; }
    public required Func<string?, string> ExpiredOther { get; init; }

    public required TitleBody Invalid { get; init; }
    public required TitleBody Unknown { get; init; }
    public required TitleBody Unreadable { get; init; }
    public required TitleBody TooLarge { get; init; }
    public required TitleBody NotAllowed { get; init; }
    public required TitleBody Unavailable { get; init; }
    /// <summary>Added to every problem page of an unsubscribe link: there is always another way to stop the emails.</summary>
    public required string UnsubscribeOtherWay { get; init; }

    /// <summary>A practice-local date in words: « 1er avril 2027 », “1 April 2027”, kept on one line.</summary>
    public required Func<DateOnly, string> LongDate { get; init; }

    public static PageWording For(Locale locale) => locale == Locale.En ? En : Fr;

    private static readonly string[] FrMonths = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"];
    private static readonly string[] EnMonths = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    private static string Thousands(int value, string separator) =>
        value.ToString("#,0", CultureInfo.InvariantCulture).Replace(",", separator, StringComparison.Ordinal);

    public static PageWording Fr { get; } = new()
    {
        ErrorTitlePrefix = $"Erreur{NB}: ",
        BookLinkLabel = "Prendre rendez-vous",
        LaterConfirmTitle = $"Pas pour le moment{NN}?",
        LaterConfirmBody = _ =>
        [
            $"C’est tout à fait normal. Si vous le confirmez, nous ne vous enverrons plus de message pendant trois mois (90{NB}jours).",
            "Vous pourrez bien sûr reprendre rendez-vous à tout moment, si vous le souhaitez.",
        ],
        LaterConfirmButton = "Confirmer la pause de trois mois",
        LaterDoneTitle = "C’est noté",
        LaterDoneBody = (_, until) => $"Vous ne recevrez plus de message de notre part avant le {until}.",
        LaterDoneBookLead = $"Si vous souhaitez reprendre rendez-vous d’ici là, la porte reste ouverte{NB}:",
        LaterDoneClosing = "Prenez soin de vous.",
        FeedbackTitle = "Votre avis compte",
        FeedbackIntro = _ => "Merci de prendre deux minutes pour nous dire comment s’est passé votre suivi.",
        FeedbackAnsweredBefore = $"Vous nous avez déjà répondu{NB}: si vous envoyez ce formulaire, votre nouvelle réponse remplacera la précédente.",
        FeedbackLegend = $"Dans l’ensemble, comment s’est passé votre suivi{NN}?",
        FeedbackRatings = ["1 – Pas bien du tout", "2 – Plutôt pas bien", "3 – Moyennement", "4 – Bien", "5 – Très bien"],
        FeedbackCommentLabel = $"Souhaitez-vous ajouter quelque chose{NN}? (facultatif)",
        FeedbackCommentHint = $"2{NN}000{NB}caractères au maximum. Votre message sera lu par l’équipe du cabinet.",
        FeedbackButton = "Envoyer mon avis",
        FeedbackSummaryTitle = "Votre avis n’a pas encore pu être envoyé",
        FeedbackRatingMissing = "Choisissez une note de 1 à 5.",
        FeedbackRatingInvalid = "Choisissez une note de 1 à 5 parmi les choix proposés.",
        FeedbackCommentTooLong = length => $"Votre message compte {Thousands(length, NN)}{NB}caractères, pour 2{NN}000 au maximum{NB}: merci de le raccourcir un peu.",
        ErrorPrefix = $"Erreur{NB}: ",
        ThanksTitle = "Merci pour votre retour",
        ThanksBody = _ => "Votre avis a bien été enregistré. Il aide toute notre équipe à mieux accompagner les personnes que nous recevons.",
        ThanksReplaced = "Il remplace votre réponse précédente.",
        ThanksBookLead = $"Et si vous souhaitez reprendre rendez-vous, la porte reste ouverte{NB}:",
        UnsubscribeTitle = "Ne plus recevoir ces messages",
        UnsubscribeBody = _ =>
        [
            "Vous ne recevrez plus nos messages de suivi (nouvelles, ressources, invitations à reprendre rendez-vous).",
            "Cela ne change rien à vos rendez-vous ni à vos échanges avec votre thérapeute.",
        ],
        UnsubscribeButton = "Me désinscrire",
        UnsubscribedTitle = "Désinscription confirmée",
        UnsubscribedBody = _ => "Vous ne recevrez plus nos messages de suivi.",
        UnsubscribedChangeMind = "Si vous changez d’avis, il vous suffit d’en parler au cabinet.",
        UnsubscribedBookLead = $"Et si vous souhaitez un jour reprendre rendez-vous, la porte reste ouverte{NB}:",
        BookUnavailableTitle = "Prendre rendez-vous",
        BookUnavailableBody = _ => "La prise de rendez-vous en ligne n’est pas disponible pour le moment. Pour convenir d’un rendez-vous, répondez simplement à l’e-mail ou contactez directement le cabinet.",
        ExpiredTitle = "Ce lien a expiré",
        ExpiredWhy = $"Pour protéger vos informations, les liens de nos e-mails ne restent valables que 90{NB}jours.",
        ExpiredBookLead = $"Vous pouvez toujours prendre rendez-vous ici{NB}:",
        ExpiredLater = "Si vous préférez ne plus recevoir de message pendant un temps, répondez simplement à l’e-mail pour nous le dire.",
        ExpiredOther = _ => "Si vous souhaitez nous répondre, il vous suffit de répondre à l’e-mail ou de contacter le cabinet.",
        Invalid = new("Ce lien ne fonctionne pas", $"Il est peut-être incomplet, ou a été modifié. Essayez d’ouvrir à nouveau le lien depuis l’e-mail, ou répondez simplement à l’e-mail{NB}: nous ferons le nécessaire."),
        Unknown = new("Nous ne retrouvons pas ce message", "Ce lien ne correspond à aucun message que nous pouvons retrouver (il est peut-être très ancien). Pour toute question, répondez simplement à l’e-mail ou contactez le cabinet."),
        Unreadable = new("Ce formulaire n’a pas pu être lu", "Merci de revenir à la page précédente et de réessayer."),
        TooLarge = new("Ce formulaire est trop long", "Votre envoi dépasse la taille acceptée. Merci de raccourcir votre message et de réessayer."),
        NotAllowed = new("Cette demande n’est pas possible ici", "Ouvrez le lien directement depuis l’e-mail."),
        Unavailable = new("Un souci technique passager", "Nous n’avons pas pu traiter votre demande. Merci de réessayer dans quelques minutes."),
        UnsubscribeOtherWay = $"Pour ne plus recevoir nos messages, vous pouvez aussi répondre à l’e-mail en nous le demandant, ou contacter directement le cabinet{NB}: nous arrêterons les envois.",
        LongDate = date => $"{(date.Day == 1 ? "1er" : date.Day.ToString(CultureInfo.InvariantCulture))}{NB}{FrMonths[date.Month - 1]}{NB}{date.Year.ToString(CultureInfo.InvariantCulture)}",
    };

    public static PageWording En { get; } = new()
    {
        ErrorTitlePrefix = "Error: ",
        BookLinkLabel = "Book a session",
        LaterConfirmTitle = "Not right now?",
        LaterConfirmBody = practice =>
        [
            $"That’s completely fine. If you confirm, {practice} won’t send you any messages for the next three months (90 days).",
            "You can of course book a session at any time, whenever you wish.",
        ],
        LaterConfirmButton = "Confirm a three-month pause",
        LaterDoneTitle = "All set",
        LaterDoneBody = (practice, until) => $"You won’t receive any messages from {practice} before {until}.",
        LaterDoneBookLead = "If you would like to book a session in the meantime, the door is always open:",
        LaterDoneClosing = "Take care.",
        FeedbackTitle = "Your feedback matters",
        FeedbackIntro = practice => $"Thank you for taking two minutes to tell us how your care at {practice} went.",
        FeedbackAnsweredBefore = "You have already answered: if you send this form, your new answer will replace the previous one.",
        FeedbackLegend = "Overall, how did your care go?",
        FeedbackRatings = ["1 – Not well at all", "2 – Not very well", "3 – Okay", "4 – Well", "5 – Very well"],
        FeedbackCommentLabel = "Anything you would like to add? (optional)",
        FeedbackCommentHint = "Up to 2,000 characters. Your message will be read by the practice team.",
        FeedbackButton = "Send my feedback",
        FeedbackSummaryTitle = "Your feedback could not be sent yet",
        FeedbackRatingMissing = "Choose a rating from 1 to 5.",
        FeedbackRatingInvalid = "Choose a rating from 1 to 5 among the options shown.",
        FeedbackCommentTooLong = length => $"Your message is {Thousands(length, ",")} characters long, and the limit is 2,000: please shorten it a little.",
        ErrorPrefix = "Error: ",
        ThanksTitle = "Thank you for your feedback",
        ThanksBody = practice => $"Your feedback has been recorded. It helps the whole team at {practice} better support the people they see.",
        ThanksReplaced = "It replaces your previous answer.",
        ThanksBookLead = "And if you would like to book another session, the door is always open:",
        UnsubscribeTitle = "Stop receiving these messages",
        UnsubscribeBody = practice =>
        [
            $"You will no longer receive follow-up messages from {practice} (check-ins, resources, invitations to book again).",
            "This does not affect your appointments or your conversations with your therapist.",
        ],
        UnsubscribeButton = "Unsubscribe",
        UnsubscribedTitle = "You have been unsubscribed",
        UnsubscribedBody = practice => $"You will no longer receive follow-up messages from {practice}.",
        UnsubscribedChangeMind = "If you change your mind, just let the practice know.",
        UnsubscribedBookLead = "And if you ever wish to book a session, the door is always open:",
        BookUnavailableTitle = "Book a session",
        BookUnavailableBody = practice => $"Online booking is not available at the moment. To arrange a session, simply reply to the email or contact {practice}.",
        ExpiredTitle = "This link has expired",
        ExpiredWhy = "To protect your information, the links in our emails are only valid for 90 days.",
        ExpiredBookLead = "You can still book a session here:",
        ExpiredLater = "If you would rather not receive messages for a while, simply reply to the email to let us know.",
        ExpiredOther = practice => $"If you would like to answer, simply reply to the email or contact {practice ?? "the practice"}.",
        Invalid = new("This link does not work", "It may be incomplete, or it may have been changed. Try opening the link from the email again, or simply reply to the email and we will take care of it."),
        Unknown = new("We cannot find this message", "This link does not match any message we can find (it may be very old). If you have any question, simply reply to the email or contact the practice."),
        Unreadable = new("This form could not be read", "Please go back to the previous page and try again."),
        TooLarge = new("This form is too long", "What you sent is larger than we can accept. Please shorten your message and try again."),
        NotAllowed = new("This request is not possible here", "Please open the link directly from the email."),
        Unavailable = new("A temporary technical problem", "We could not handle your request. Please try again in a few minutes."),
        UnsubscribeOtherWay = "To stop receiving our messages, you can also reply to the email and ask us, or contact the practice directly: we will stop sending them.",
        LongDate = date => $"{date.Day.ToString(CultureInfo.InvariantCulture)}{NB}{EnMonths[date.Month - 1]}{NB}{date.Year.ToString(CultureInfo.InvariantCulture)}",
    };
}
