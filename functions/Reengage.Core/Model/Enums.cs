namespace Reengage.Core.Model;

public enum Locale
{
    [WireName("fr")] Fr,
    [WireName("en")] En,
}

/// <summary>The eight templates of the shared library, in the order of their number (1–8).</summary>
public enum TemplateId
{
    [WireName("check-in")] CheckIn = 1,
    [WireName("progress")] Progress = 2,
    [WireName("seasonal")] Seasonal = 3,
    [WireName("resource")] Resource = 4,
    [WireName("direct")] Direct = 5,
    [WireName("plan-follow-up")] PlanFollowUp = 6,
    [WireName("no-pressure")] NoPressure = 7,
    [WireName("feedback")] Feedback = 8,
}

public enum CareStatus
{
    [WireName("in_care")] InCare,
    [WireName("plan_completed")] PlanCompleted,
    [WireName("discharged")] Discharged,
}

public enum ContactPreference
{
    [WireName("default")] Default,
    [WireName("direct")] Direct,
}

public enum AppointmentStatus
{
    [WireName("booked")] Booked,
    [WireName("cancelled")] Cancelled,
    [WireName("completed")] Completed,
    [WireName("no_show")] NoShow,
}

public enum Campaign
{
    [WireName("lapse")] Lapse,
    [WireName("milestone")] Milestone,
    [WireName("seasonal")] Seasonal,
}

public enum SeasonalWindowId
{
    [WireName("new-year")] NewYear,
    [WireName("rentree")] Rentree,
    [WireName("spring")] Spring,
}

public enum OutreachResponse
{
    [WireName("book")] Book,
    [WireName("later")] Later,
    [WireName("feedback")] Feedback,
    [WireName("unsubscribe")] Unsubscribe,
}

public enum WebhookSource
{
    [WireName("generic")] Generic,
    [WireName("calcom")] Calcom,
    [WireName("calendly")] Calendly,
    [WireName("acuity")] Acuity,
}
