namespace Reengage.Functions.Tests.Admin;

[Collection(AzuriteCollection.Name)]
public sealed class TherapistAdminTests(AzuriteFixture fixture) : AdminTestBase(fixture)
{
    private const string Id = "prac_th";

    [Fact]
    public async Task PUT_creates_then_updates_only_what_it_gives_and_GET_lists_them_by_id()
    {
        var key = await CreatePracticeAsync(Id);

        var created = await PutTherapistAsync(Id, "th_2", """{"displayName":"Bruno Adam","email":"bruno@cabinet.example"}""", key);
        await PutTherapistAsync(Id, "th_1", """{"displayName":"Léa Martin","email":"lea@cabinet.example","signature":"Léa Martin\nPsychologue","locale":"en"}""", key);
        var updated = await PutTherapistAsync(Id, "th_2", """{"signature":"Bruno Adam\nPsychologue","active":false}""", key);
        var list = await ListTherapistsAsync(Id, key);

        Assert.Equal(201, created.Status);
        Assert.Equal("no-store", created.Header("Cache-Control"));
        AssertJsonEqual(
            """
            { "practiceId": "prac_th", "id": "th_2", "displayName": "Bruno Adam", "email": "bruno@cabinet.example",
              "signature": "", "locale": "fr", "active": true }
            """,
            created.Body);
        Assert.Equal(200, updated.Status);
        AssertJsonEqual(
            """
            { "practiceId": "prac_th", "id": "th_2", "displayName": "Bruno Adam", "email": "bruno@cabinet.example",
              "signature": "Bruno Adam\nPsychologue", "locale": "fr", "active": false }
            """,
            updated.Body);
        Assert.Equal(200, list.Status);
        AssertJsonEqual(
            """
            { "therapists": [
                { "practiceId": "prac_th", "id": "th_1", "displayName": "Léa Martin", "email": "lea@cabinet.example",
                  "signature": "Léa Martin\nPsychologue", "locale": "en", "active": true },
                { "practiceId": "prac_th", "id": "th_2", "displayName": "Bruno Adam", "email": "bruno@cabinet.example",
                  "signature": "Bruno Adam\nPsychologue", "locale": "fr", "active": false } ] }
            """,
            list.Body);
    }

    [Fact]
    public async Task Refuses_a_therapist_without_name_or_email_a_bad_email_a_bad_id_and_unknown_fields()
    {
        var key = await CreatePracticeAsync(Id);

        var missing = await PutTherapistAsync(Id, "th_3", """{"displayName":"Sans Adresse"}""", key);
        var badEmail = await PutTherapistAsync(Id, "th_3", """{"displayName":"X","email":"nope"}""", key);
        var badId = await PutTherapistAsync(Id, "th/3", """{"displayName":"X","email":"x@cabinet.example"}""", key);
        var unknown = await PutTherapistAsync(Id, "th_3", """{"displayName":"X","email":"x@cabinet.example","phone":"0102"}""", key);
        var otherIds = await PutTherapistAsync(Id, "th_3", """{"id":"th_4","practiceId":"prac_else","displayName":"X","email":"x@cabinet.example"}""", key);
        var signature = await PutTherapistAsync(Id, "th_3", """{"displayName":"X","email":"x@cabinet.example","signature":"a\u0007b"}""", key);

        Assert.Equal(400, missing.Status);
        Assert.Equal(["email"], missing.Fields);
        Assert.Equal("is required to create a therapist", missing.MessageOf("email"));
        Assert.Equal("Invalid therapist", missing.Json!["title"]!.GetValue<string>());
        Assert.Equal(["email"], badEmail.Fields);
        Assert.Equal("must be a valid email address", badEmail.MessageOf("email"));
        Assert.Equal(400, badId.Status);
        Assert.Equal(["therapistId"], badId.Fields);
        Assert.Equal(["phone"], unknown.Fields);
        Assert.Equal("is not a known field", unknown.MessageOf("phone"));
        Assert.Equal(["id", "practiceId"], otherIds.Fields);
        Assert.Equal(["signature"], signature.Fields);
        Assert.Null(await Practices.GetTherapistAsync(Id, "th_3"));
    }

    [Fact]
    public async Task DefaultTherapistId_accepts_a_therapist_of_the_practice_and_null_clears_it()
    {
        var key = await CreatePracticeAsync(Id);
        await PutTherapistAsync(Id, "th_1", """{"displayName":"Léa Martin","email":"lea@cabinet.example"}""", key);

        var set = await PutPracticeAsync(Id, """{"defaultTherapistId":"th_1"}""", key);
        var cleared = await PutPracticeAsync(Id, """{"defaultTherapistId":null}""", key);

        Assert.Equal(200, set.Status);
        Assert.Equal("th_1", set.Json!["defaultTherapistId"]!.GetValue<string>());
        Assert.Equal(200, cleared.Status);
        Assert.Null(cleared.Json!["defaultTherapistId"]);
        Assert.Null((await Practices.GetPracticeAsync(Id))!.Value.DefaultTherapistId);
    }

    [Fact]
    public async Task A_therapist_body_too_large_or_not_JSON_is_refused()
    {
        var key = await CreatePracticeAsync(Id);

        var huge = await RunAsync(PracticeFunctions.PutTherapist(
            Request("PUT", key, $$"""{"signature":"{{new string('x', 70_000)}}"}"""), Id, "th_9", CancellationToken.None));
        var plain = await RunAsync(PracticeFunctions.PutTherapist(
            Request("PUT", key, "{}", "text/plain"), Id, "th_9", CancellationToken.None));

        Assert.Equal(413, huge.Status);
        Assert.Equal(415, plain.Status);
    }
}
