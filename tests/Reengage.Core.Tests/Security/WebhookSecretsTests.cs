using System.Globalization;
using Reengage.Core.Security;

namespace Reengage.Core.Tests.Security;

public sealed class WebhookSecretsTests
{
    private static readonly DateTimeOffset Now = At("2027-01-05T09:30:00Z");

    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    [Fact]
    public void A_rotation_keeps_the_current_secret_as_the_previous_one()
    {
        Assert.Equal(new WebhookSecret("whsec_new", "whsec_old", Now), WebhookSecrets.Rotate(new WebhookSecret("whsec_old", null, null), "whsec_new", Now));
        Assert.Equal(new WebhookSecret("whsec_first", null, Now), WebhookSecrets.Rotate(null, "whsec_first", Now));
    }

    [Fact]
    public void The_previous_secret_is_accepted_for_seven_days_after_the_rotation()
    {
        var secret = new WebhookSecret("new", "old", Now);
        Assert.Equal(["new", "old"], WebhookSecrets.AcceptedSecrets(secret, At("2027-01-12T09:29:59Z")));
        Assert.Equal(["new"], WebhookSecrets.AcceptedSecrets(secret, At("2027-01-12T09:30:00Z")));
        Assert.Equal(At("2027-01-12T09:30:00Z"), WebhookSecrets.PreviousAcceptedUntil(secret));
    }

    [Fact]
    public void A_previous_secret_without_a_rotation_time_is_not_trusted()
    {
        var secret = new WebhookSecret("new", "old", null);
        Assert.Equal(["new"], WebhookSecrets.AcceptedSecrets(secret, Now));
        Assert.Null(WebhookSecrets.PreviousAcceptedUntil(secret));
    }

    [Fact]
    public void Without_a_previous_secret_only_the_current_one_is_accepted() =>
        Assert.Equal(["only"], WebhookSecrets.AcceptedSecrets(new WebhookSecret("only", null, Now), Now));

    [Fact]
    public void New_secrets_are_prefixed_and_random()
    {
        Assert.Matches("^whsec_[A-Za-z0-9_-]{43}$", WebhookSecrets.NewSecret());
        Assert.NotEqual(WebhookSecrets.NewSecret(), WebhookSecrets.NewSecret());
    }
}
