using Reengage.Core.Model;
using Reengage.Core.Report;
using static Reengage.Core.Tests.Report.ReportRows;

namespace Reengage.Core.Tests.Report;

/// <summary>The report's arithmetic on hand-counted ledgers (plus scanner visits).</summary>
public sealed class PracticeReportBuilderTests
{
    /*
     * The ledger (Europe/Paris, Q1 2027 = [1 Jan, 1 Apr) local):
     *  r1  pat_1  check-in    th_1  5 Jan   delivered, answered "book", rebooked; a scanner opened its book link first
     *  r2  pat_2  check-in    th_1  5 Jan   bounced
     *  r3  pat_3  check-in    th_2  31 Jan 23:30 UTC = 1 Feb 00:30 Paris; sent, answered "later"
     *  r4  pat_4  progress    th_2  10 Feb  failed before sending (no sentAt)
     *  r5  pat_5  progress    th_1  10 Feb  skipped:booked
     *  r6  pat_6  check-in    th_1  11 Feb  skipped:no_consent
     *  r7  pat_7  check-in    th_1  1 Mar   skipped:booked
     *  r8  pat_8  feedback    th_2  2 Mar   delivered, answered "feedback", rating 4; a scanner opened its book link
     *  r9  pat_9  feedback    none  3 Mar   delivered, answered "unsubscribe", rating 2
     *  r10 pat_10 check-in    th_1  5 Mar   held_out
     *  r11 pat_11 no-pressure th_1  30 Mar  planned (not sent yet)
     *  r12 pat_12 check-in    th_2  31 Dec 23:30 UTC = 1 Jan 00:30 Paris: IN the period; delivered, rebooked
     *  r13 pat_1  no-pressure th_1  31 Mar 22:30 UTC = 1 Apr 00:30 Paris: OUT of the period; rating 5; scanner visit
     * Feedback also holds an entry whose row does not exist (rating 1): ignored.
     */
    private static readonly OutreachRow[] Ledger =
    [
        Row("pat_1").Sent("2027-01-05T09:00:00Z") with
        {
            Response = OutreachResponse.Book,
            RebookedAt = At("2027-01-10T10:00:00Z"),
            ScannerVisitAt = At("2027-01-05T09:00:20Z"),
        },
        Row("pat_2").Sent("2027-01-05T09:01:00Z", OutreachStatus.Bounced),
        Row("pat_3", "2027-01-31T23:30:00Z").Sent("2027-02-01T09:00:00Z", OutreachStatus.Sent) with { TherapistId = "th_2", Response = OutreachResponse.Later },
        Row("pat_4", "2027-02-10T05:00:00Z") with { TherapistId = "th_2", TemplateId = TemplateId.Progress, Status = OutreachStatus.Failed },
        Row("pat_5", "2027-02-10T05:00:00Z") with { TemplateId = TemplateId.Progress, Status = "skipped:booked" },
        Row("pat_6", "2027-02-11T05:00:00Z") with { Status = "skipped:no_consent" },
        Row("pat_7", "2027-03-01T05:00:00Z") with { Status = "skipped:booked" },
        Row("pat_8", "2027-03-02T05:00:00Z").Sent("2027-03-02T09:00:00Z") with
        {
            TherapistId = "th_2",
            TemplateId = TemplateId.Feedback,
            Step = 3,
            Response = OutreachResponse.Feedback,
            ScannerVisitAt = At("2027-03-02T09:00:05Z"),
        },
        Row("pat_9", "2027-03-03T05:00:00Z").Sent("2027-03-03T09:00:00Z") with
        {
            TherapistId = null,
            TemplateId = TemplateId.Feedback,
            Step = 3,
            Response = OutreachResponse.Unsubscribe,
        },
        Row("pat_10", "2027-03-05T05:00:00Z") with { NotBefore = At("2027-03-05T09:00:00Z"), Status = OutreachStatus.HeldOut },
        Row("pat_11", "2027-03-30T05:00:00Z") with { TemplateId = TemplateId.NoPressure, Step = 2, NotBefore = At("2027-07-01T09:00:00Z") },
        Row("pat_12", "2026-12-31T23:30:00Z").Sent("2027-01-04T09:00:00Z") with { TherapistId = "th_2", RebookedAt = At("2027-01-20T10:00:00Z") },
        Row("pat_1", "2027-03-31T22:30:00Z").Sent("2027-04-01T09:00:00Z") with
        {
            TemplateId = TemplateId.NoPressure,
            Step = 2,
            ScannerVisitAt = At("2027-04-01T09:00:10Z"),
        },
    ];

    private static readonly (string, int)[] Feedback =
    [
        ("pat_8|lapse|2026-12-01|3", 4),
        ("pat_9|lapse|2026-12-01|3", 2),
        ("pat_1|lapse|2026-12-01|2", 5),
        ("pat_404|lapse|2026-12-01|3", 1),
    ];

    private static readonly Dictionary<string, string> Names = new() { ["th_1"] = "Dr Léa Martin", ["th_2"] = "Bruno Adam" };

    private static PracticeReportFigures Report(ReportGroupBy groupBy = ReportGroupBy.Template, Locale language = Locale.En) =>
        Figures(Ledger, Q1 with { GroupBy = groupBy, Language = language }, Feedback, Names);

    private static ReportFigures Expected(
        int planned = 0, int pending = 0, int sent = 0, int delivered = 0, int bounced = 0, int failed = 0, int heldOut = 0,
        (int Total, Dictionary<string, int> ByReason)? skipped = null, int bookClicks = 0, int scannerVisits = 0, int notNow = 0,
        int unsubscribes = 0, (int Count, double? Mean)? feedback = null, int rebooked = 0, double? rebookedRate = null) => new()
        {
            Planned = planned,
            Pending = pending,
            Sent = sent,
            Delivered = delivered,
            Bounced = bounced,
            Failed = failed,
            HeldOut = heldOut,
            Skipped = new SkippedFigures(skipped?.Total ?? 0, skipped?.ByReason ?? []),
            BookClicks = bookClicks,
            ScannerVisits = scannerVisits,
            NotNow = notNow,
            Unsubscribes = unsubscribes,
            Feedback = new FeedbackFigures(feedback?.Count ?? 0, feedback?.Mean),
            Rebooked = rebooked,
            RebookedRate = rebookedRate,
        };

    private static void AssertFigures(ReportFigures expected, ReportFigures actual)
    {
        Assert.Equal(expected with { Skipped = actual.Skipped }, actual);
        Assert.Equal(expected.Skipped.Total, actual.Skipped.Total);
        Assert.Equal(expected.Skipped.ByReason.OrderBy(p => p.Key, StringComparer.Ordinal), actual.Skipped.ByReason);
    }

    [Fact]
    public void By_template_every_template_is_listed_and_each_figure_counted_by_hand()
    {
        var report = Report();
        Assert.Equal(
            ["check-in", "progress", "seasonal", "resource", "direct", "plan-follow-up", "no-pressure", "feedback"],
            report.Groups.Select(g => g.Key));
        Assert.Equal(
            ["Check-in", "Progress reminder", "New start (seasonal)", "Resource share", "Direct invitation", "Plan follow-up", "No pressure", "Feedback request"],
            report.Groups.Select(g => g.Label));
        var by = report.Groups.ToDictionary(g => g.Key!, g => g.Figures);
        // check-in: r1 r2 r3 r12 meant to be sent, r6 r7 skipped, r10 held out; sent r1 r2 r3 r12; delivered r1 r12;
        // rebooked r1 r12 -> 2/4; r1's book link opened by a scanner too.
        AssertFigures(
            Expected(planned: 4, sent: 4, delivered: 2, bounced: 1, heldOut: 1, skipped: (2, new() { ["booked"] = 1, ["no_consent"] = 1 }),
                bookClicks: 1, scannerVisits: 1, notNow: 1, feedback: (0, null), rebooked: 2, rebookedRate: 0.5),
            by["check-in"]);
        // progress: r4 failed before sending (planned, not sent), r5 skipped.
        AssertFigures(Expected(planned: 1, failed: 1, skipped: (1, new() { ["booked"] = 1 })), by["progress"]);
        // feedback: r8 and r9, ratings 4 and 2 -> mean 3; r9 unsubscribed; r8 opened by a scanner (not a click).
        AssertFigures(
            Expected(planned: 2, sent: 2, delivered: 2, scannerVisits: 1, unsubscribes: 1, feedback: (2, 3), rebookedRate: 0),
            by["feedback"]);
        // no-pressure: r11 only (r13 is 1 April in Paris).
        AssertFigures(Expected(planned: 1, pending: 1), by["no-pressure"]);
        AssertFigures(Expected(), by["seasonal"]);
    }

    [Fact]
    public void The_total_adds_up_the_rows_of_the_period_with_the_rate_over_sent_rows()
    {
        // planned 4 + 1 + 2 + 1 = 8; sent 4 + 2 = 6; rebooked 2 -> 2/6 = 0.3333; scanners r1 r8 (r13 is out of the period).
        AssertFigures(
            Expected(planned: 8, pending: 1, sent: 6, delivered: 4, bounced: 1, failed: 1, heldOut: 1,
                skipped: (3, new() { ["booked"] = 2, ["no_consent"] = 1 }), bookClicks: 1, scannerVisits: 2, notNow: 1,
                unsubscribes: 1, feedback: (2, 3), rebooked: 2, rebookedRate: 0.3333),
            Report().Total);
    }

    [Fact]
    public void By_month_in_the_practice_time_zone_every_month_of_the_period_is_listed()
    {
        var report = Report(ReportGroupBy.Month);
        Assert.Equal(
            [("2027-01", "January 2027"), ("2027-02", "February 2027"), ("2027-03", "March 2027")],
            report.Groups.Select(g => (g.Key, g.Label)));
        var (jan, feb, mar) = (report.Groups[0].Figures, report.Groups[1].Figures, report.Groups[2].Figures);
        // January (Paris): r1 r2 r12; r3 is 1 February in Paris though 31 January in UTC.
        Assert.Equal((3, 3, 2, 0.6667), (jan.Planned, jan.Sent, jan.Rebooked, jan.RebookedRate));
        // February: r3 (sent) and r4 (failed) planned, r5 r6 skipped.
        Assert.Equal((2, 1, 1, 2), (feb.Planned, feb.Sent, feb.Failed, feb.Skipped.Total));
        // March: r8 r9 r11 planned, r7 skipped, r10 held out.
        Assert.Equal((3, 2, 1, 1, 1), (mar.Planned, mar.Sent, mar.Pending, mar.HeldOut, mar.Skipped.Total));
    }

    [Fact]
    public void Months_are_labelled_in_French_with_lang_fr_and_empty_months_still_listed()
    {
        var report = Figures(Ledger, new ReportQuery(new(2026, 11, 15), new(2027, 4, 1), ReportGroupBy.Month, Locale.Fr), Feedback, Names);
        Assert.Equal(
            ["novembre 2026", "décembre 2026", "janvier 2027", "février 2027", "mars 2027"],
            report.Groups.Select(g => g.Label));
        Assert.Equal([0, 0, 3, 2, 3], report.Groups.Select(g => g.Figures.Planned));
    }

    [Fact]
    public void Templates_are_labelled_in_French_with_lang_fr()
    {
        var report = Report(language: Locale.Fr);
        Assert.Equal(
            ["Comment allez-vous ?", "Rappel des progrès", "Nouveau départ (saisonnier)", "Partage de ressource", "Invitation directe", "Suivi du plan", "Sans pression", "Demande d’avis"],
            report.Groups.Select(g => g.Label));
    }

    [Fact]
    public void By_therapist_groups_are_named_from_the_staff_list_sorted_by_name_the_unassigned_rows_last()
    {
        var report = Report(ReportGroupBy.Therapist);
        Assert.Equal(
            [("th_2", "Bruno Adam"), ("th_1", "Dr Léa Martin"), (null, "No therapist")],
            report.Groups.Select(g => (g.Key, g.Label)));
        var (th2, th1, none) = (report.Groups[0].Figures, report.Groups[1].Figures, report.Groups[2].Figures);
        // th_1: r1 r2 r11 planned (r5 r6 r7 skipped, r10 held out), r1 r2 sent.
        Assert.Equal((3, 2, 1, 3), (th1.Planned, th1.Sent, th1.HeldOut, th1.Skipped.Total));
        // th_2: r3 r4 r8 r12 planned, r3 r8 r12 sent, rebooked r12, r8 rated 4.
        Assert.Equal((4, 3, 1, 1, 4.0), (th2.Planned, th2.Sent, th2.Rebooked, th2.Feedback.Count, th2.Feedback.MeanRating));
        Assert.Equal((1, 1, 1, 1, 2.0), (none.Planned, none.Sent, none.Unsubscribes, none.Feedback.Count, none.Feedback.MeanRating));
        Assert.Equal("Sans thérapeute", Report(ReportGroupBy.Therapist, Locale.Fr).Groups[^1].Label);
    }

    [Fact]
    public void A_therapist_missing_from_the_staff_list_is_labelled_by_id()
    {
        var report = Figures(Ledger, Q1 with { GroupBy = ReportGroupBy.Therapist }, Feedback, new Dictionary<string, string> { ["th_1"] = "Dr Léa Martin" });
        Assert.Contains(report.Groups, g => g is { Key: "th_2", Label: "th_2" });
    }

    [Fact]
    public void A_row_with_a_scanner_visit_but_no_answer_is_a_scanner_visit_not_a_book_click()
    {
        var rows = new[]
        {
            Row("s1").Sent("2027-01-05T09:00:00Z") with { ScannerVisitAt = At("2027-01-05T09:00:03Z") },
            Row("s2").Sent("2027-01-05T09:00:00Z") with { ScannerVisitAt = At("2027-01-05T09:00:03Z"), Response = OutreachResponse.Book },
            Row("s3").Sent("2027-01-05T09:00:00Z") with { Response = OutreachResponse.Book },
        };
        var total = Figures(rows).Total;
        Assert.Equal((2, 2), (total.BookClicks, total.ScannerVisits));
    }

    [Fact]
    public void A_skipped_status_without_a_reason_counts_as_unknown_and_other_reasons_are_kept()
    {
        var rows = new[] { Row("u1") with { Status = "skipped:" }, Row("u2") with { Status = "skipped:patient_erased" } };
        var skipped = Figures(rows).Total.Skipped;
        Assert.Equal(2, skipped.Total);
        Assert.Equal([new("patient_erased", 1), new("unknown", 1)], skipped.ByReason);
    }

    /*
     * The holdout ledger, counted in episodes (Q1 2027, now = 1 June 2027):
     *  emailed e0..e8: one lapse episode each (key 2026-12-01), step 1 sent in January; e0..e3 also get step 2 sent in
     *    February, so rows (13) and episodes (9) differ. Rebooked: e0 (on step 1), e1 and e2 (on step 2).
     *  e5 also gets a seasonal email (window 2027:spring) that is rebooked: it joins e5's lapse episode -> e5 is rebooked,
     *    and no extra episode appears.
     *  e9 has only a seasonal email (no lapse row): an episode on its own, not rebooked.
     *  -> emailed: 10 episodes, 4 rebooked (e0 e1 e2 e5) -> 0.4.
     *  held out h0..h7: step 1 held out in January; h0..h3 also step 2 held out in February; h0 rebooked.
     *  -> held out: 8 episodes, 1 rebooked -> 0.125. Difference 0.4 - 0.125 = 0.275.
     *  Not counted: m0 (step 1 sent, step 2 held out: mixed, reported apart), k0 (only skipped rows), f0 (held out but its
     *  send time, 1 July, is still ahead), p0 (first email in December, before the period, rebooked).
     */
    private static List<OutreachRow> HoldoutLedger()
    {
        var rows = new List<OutreachRow>();
        for (var i = 0; i <= 8; i++)
        {
            rows.Add(Row($"e{i}").Sent("2027-01-10T09:00:00Z") with { RebookedAt = i == 0 ? At("2027-01-20T10:00:00Z") : null });
            if (i <= 3)
            {
                rows.Add(Row($"e{i}", "2027-02-09T05:00:00Z").Sent("2027-02-10T09:00:00Z") with
                {
                    Step = 2,
                    TemplateId = TemplateId.NoPressure,
                    RebookedAt = i is 1 or 2 ? At("2027-02-15T10:00:00Z") : null,
                });
            }
        }
        rows.Add(Row("e5", "2027-03-01T06:00:00Z").Seasonal().Sent("2027-03-01T09:00:00Z") with { RebookedAt = At("2027-03-05T10:00:00Z") });
        rows.Add(Row("e9", "2027-03-01T06:00:00Z").Seasonal().Sent("2027-03-01T09:00:00Z"));
        for (var i = 0; i <= 7; i++)
        {
            rows.Add(Row($"h{i}") with
            {
                Status = OutreachStatus.HeldOut,
                NotBefore = At("2027-01-10T09:00:00Z"),
                RebookedAt = i == 0 ? At("2027-01-25T10:00:00Z") : null,
            });
            if (i <= 3)
            {
                rows.Add(Row($"h{i}", "2027-02-09T05:00:00Z") with { Step = 2, NotBefore = At("2027-02-10T09:00:00Z"), Status = OutreachStatus.HeldOut });
            }
        }
        rows.Add(Row("m0").Sent("2027-01-10T09:00:00Z"));
        rows.Add(Row("m0") with { Step = 2, NotBefore = At("2027-02-10T09:00:00Z"), Status = OutreachStatus.HeldOut });
        rows.Add(Row("k0") with { Status = "skipped:cooldown" });
        rows.Add(Row("f0", "2027-03-30T05:00:00Z") with { NotBefore = At("2027-07-01T08:00:00Z"), Status = OutreachStatus.HeldOut });
        rows.Add(Row("p0", "2026-12-14T05:00:00Z").Sent("2026-12-15T09:00:00Z") with { EpisodeKey = "2026-11-01" });
        rows.Add(Row("p0", "2027-01-19T05:00:00Z").Sent("2027-01-20T09:00:00Z") with
        {
            EpisodeKey = "2026-11-01",
            Step = 2,
            RebookedAt = At("2027-01-22T10:00:00Z"),
        });
        return rows;
    }

    [Fact]
    public void The_comparison_counts_episodes_not_rows_and_attaches_seasonal_emails_to_their_lapse_episode()
    {
        var holdout = Figures(HoldoutLedger()).Holdout;
        Assert.Equal(new OutcomeFigures(10, 4, 0.4), holdout.Emailed);
        Assert.Equal(new OutcomeFigures(8, 1, 0.125), holdout.HeldOut);
        Assert.Equal(1, holdout.ExcludedMixed);
        Assert.Equal(0.275, holdout.Difference);
    }

    [Fact]
    public void The_order_of_the_rows_does_not_matter()
    {
        var rows = HoldoutLedger();
        rows.Reverse();
        var holdout = Figures(rows).Holdout;
        Assert.Equal((10, 4, 8, 1, 1), (holdout.Emailed.Episodes, holdout.Emailed.Rebooked, holdout.HeldOut.Episodes, holdout.HeldOut.Rebooked, holdout.ExcludedMixed));
    }

    [Fact]
    public void A_seasonal_email_counts_with_the_lapse_episode_it_records_even_when_an_earlier_episode_has_rows()
    {
        // s0: step 1 of the December episode sent, not rebooked; a new visit on 1 February starts another episode with no
        // lapse row yet; the spring email (drawn on that new episode) is followed by a booking.
        OutreachRow[] Rows(string? lapseEpisodeKey) =>
        [
            Row("s0").Sent("2027-01-10T09:00:00Z"),
            Row("s0", "2027-03-01T06:00:00Z").Seasonal().Sent("2027-03-01T09:00:00Z") with
            {
                RebookedAt = At("2027-03-05T10:00:00Z"),
                LapseEpisodeKey = lapseEpisodeKey,
            },
        ];
        // Recorded: two episodes, the February one rebooked.
        Assert.Equal(new OutcomeFigures(2, 1, 0.5), Figures(Rows("2027-02-01")).Holdout.Emailed);
        // A row planned before the key was recorded falls back to the latest lapse episode with rows.
        Assert.Equal(new OutcomeFigures(1, 1, 1), Figures(Rows(null)).Holdout.Emailed);
    }

    [Fact]
    public void A_legacy_seasonal_row_joins_the_latest_lapse_episode_begun_on_or_before_its_planning_day()
    {
        // Lapse episodes 2026-10-01 (held out) and 2027-01-20 (only a skipped row); the seasonal email planned 15 January
        // joins 2026-10-01, the later episode having begun after it: that episode becomes mixed. Joined to 2027-01-20, it
        // would have made an emailed episode and left a held-out one.
        OutreachRow[] rows =
        [
            Row("s1") with { EpisodeKey = "2026-10-01", Status = OutreachStatus.HeldOut, NotBefore = At("2027-01-05T09:00:00Z") },
            Row("s1", "2027-03-01T05:00:00Z") with { EpisodeKey = "2027-01-20", Status = "skipped:cooldown" },
            Row("s1", "2027-01-15T06:00:00Z").Seasonal("2027:new-year").Sent("2027-01-15T09:00:00Z"),
        ];
        var holdout = Figures(rows).Holdout;
        Assert.Equal((1, 0, 0), (holdout.ExcludedMixed, holdout.HeldOut.Episodes, holdout.Emailed.Episodes));
    }

    [Fact]
    public void Fewer_than_30_episodes_a_group_give_the_interval_of_4_of_10_against_1_of_8_but_no_verdict()
    {
        var holdout = Figures(HoldoutLedger()).Holdout;
        // Wilson 4/10 = (0.1682, 0.6873), 1/8 = (0.0224, 0.4709): low = 0.275 - √(0.2318² + 0.3459²) = -0.1414,
        // high = 0.275 + √(0.2873² + 0.1026²) = 0.5801.
        Assert.Equal(-0.1414, holdout.Ci95!.Value.Low, 3);
        Assert.Equal(0.5801, holdout.Ci95!.Value.High, 3);
        Assert.Equal(
            new Verdict(VerdictCode.InsufficientData, "Not enough data yet: 10 emailed and 8 held-out episodes so far. A fair comparison needs at least 30 episodes in each group and enough rebookings in each."),
            holdout.Verdict);
    }

    [Fact]
    public void A_held_out_episode_counts_once_its_would_be_send_time_has_passed_as_an_email_counts_once_sent()
    {
        OutreachRow[] pending = [Row("f1") with { NotBefore = At("2027-03-25T09:00:00Z"), Status = OutreachStatus.HeldOut }];
        Assert.Equal(0, Figures(pending, now: At("2027-03-20T12:00:00Z")).Holdout.HeldOut.Episodes);
        Assert.Equal(1, Figures(pending, now: At("2027-03-26T12:00:00Z")).Holdout.HeldOut.Episodes);
    }

    [Fact]
    public void Episodes_first_touched_outside_the_period_are_left_out()
    {
        // From February on, every episode above was first touched in January (or March for e9) -> e9 alone.
        var holdout = Figures(HoldoutLedger(), Q1 with { From = new(2027, 2, 1) }).Holdout;
        Assert.Equal(new OutcomeFigures(1, 0, 0), holdout.Emailed);
        Assert.Equal(new OutcomeFigures(0, 0, null), holdout.HeldOut);
    }

    [Fact]
    public void Nothing_about_a_patient_appears_in_any_grouping()
    {
        foreach (var groupBy in Enum.GetValues<ReportGroupBy>())
        {
            var report = Report(groupBy);
            var csv = ReportCsv.Write(report);
            Assert.DoesNotContain("pat_", csv, StringComparison.Ordinal);
            Assert.DoesNotContain(report.Groups, g => g.Key?.Contains("pat_", StringComparison.Ordinal) == true || g.Label.Contains("pat_", StringComparison.Ordinal));
        }
    }
}
