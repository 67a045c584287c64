import Shipper
import Testing

@Test func progressDurationUsesTwoLargestUnits() {
    let cases: [(Duration, String)] = [
        (.zero, "0s"), (.milliseconds(999), "0s"), (.seconds(45), "45s"), (.seconds(200), "3m20s"),
        (.seconds(3605), "1h00m"), (.seconds(7500), "2h05m"), (.seconds(273_600), "3d04h"), (.seconds(-5), "0s"),
    ]
    for (duration, expected) in cases {
        #expect(BackfillProgressLine.duration(duration) == expected)
    }
}

@Test func progressRateRoundsByMagnitude() {
    let cases: [(Double, String)] = [
        (0, "0.0"), (0.04, "0.0"), (0.05, "0.1"), (41.24, "41.2"), (99.94, "99.9"), (1234.4, "1234"),
        (.nan, "0.0"), (.infinity, "0.0"),
    ]
    for (rate, expected) in cases {
        #expect(BackfillProgressLine.rate(rate) == expected)
    }
}

@Test func progressBarFillsRoundedDown() {
    let cases: [(Double, String)] = [
        (0, "[----------]"), (0.19, "[#---------]"), (0.5, "[#####-----]"), (0.999, "[#########-]"),
        (1, "[##########]"), (1.5, "[##########]"), (-1, "[----------]"),
    ]
    for (fraction, expected) in cases {
        #expect(BackfillProgressLine.bar(fraction: fraction, width: 10) == expected)
    }
}

@Test func progressLineShowsEveryFigure() {
    let figures = BackfillFigures(
        windowsDone: 6, windowsTotal: 12, alertsRead: 1200, windowsThisRun: 4, alertsThisRun: 824,
        elapsed: .seconds(20))
    #expect(BackfillProgressLine.render(figures)
        == "[############------------]  50% 1200 alerts 6/12 windows 41.2 alerts/s ETA 30s")
}

@Test func figuresEstimateFromTimePerWindow() {
    let figures = BackfillFigures(
        windowsDone: 5, windowsTotal: 45, alertsRead: 900, windowsThisRun: 2, alertsThisRun: 100,
        elapsed: .seconds(10))
    #expect(figures.windowsLeft == 40)
    #expect(figures.estimatedTimeLeft == .seconds(200))
    #expect(figures.alertsPerSecond == 10)
    #expect(BackfillProgressLine.duration(figures.estimatedTimeLeft!) == "3m20s")
}

@Test func figuresWithoutMeasuredWindowHaveNoEstimate() {
    let figures = BackfillFigures(
        windowsDone: 3, windowsTotal: 9, alertsRead: 10, windowsThisRun: 0, alertsThisRun: 0, elapsed: .zero)
    #expect(figures.estimatedTimeLeft == nil)
    #expect(figures.alertsPerSecond == 0)
    #expect(BackfillProgressLine.render(figures).hasSuffix("ETA unknown"))
}
