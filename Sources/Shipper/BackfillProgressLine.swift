/// Text forms of backfill progress for a terminal and for log fields. Pure functions.
public enum BackfillProgressLine {
    /// The width of the bar between its brackets, in characters.
    public static let barWidth = 24

    /// Renders one status line, such as
    /// `[############------------]  50% 1200 alerts 6/12 windows 41.2 alerts/s ETA 3m20s`.
    public static func render(_ figures: BackfillFigures) -> String {
        let percent = Int((figures.fractionDone * 100).rounded(.down))
        return bar(fraction: figures.fractionDone, width: barWidth) + " " + leftPadded(String(percent), to: 3) + "%"
            + " \(figures.alertsRead) alerts \(figures.windowsDone)/\(figures.windowsTotal) windows"
            + " \(rate(figures.alertsPerSecond)) alerts/s ETA \(figures.estimatedTimeLeft.map(duration) ?? "unknown")"
    }

    /// Renders `[####----]` with `width` characters inside the brackets. `fraction` is clamped
    /// to 0...1 and rounded down, so the bar is full only when the work is.
    public static func bar(fraction: Double, width: Int) -> String {
        let clamped = fraction.isNaN ? 0 : min(1, max(0, fraction))
        let filled = Int((clamped * Double(width)).rounded(.down))
        return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "]"
    }

    /// Renders a rate with one decimal below 100 and as a whole number from 100 on: `0.0`,
    /// `41.2`, `1234`.
    public static func rate(_ perSecond: Double) -> String {
        guard perSecond.isFinite, perSecond > 0 else { return "0.0" }
        if perSecond >= 100 {
            return String(Int(perSecond.rounded()))
        }
        let tenths = Int((perSecond * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    /// Renders a duration with its two largest units, rounded down to whole seconds: `45s`,
    /// `3m20s`, `2h05m`, `3d04h`.
    public static func duration(_ duration: Duration) -> String {
        let total = max(0, duration.components.seconds)
        let (days, hours, minutes, seconds) = (total / 86_400, total / 3600 % 24, total / 60 % 60, total % 60)
        if days > 0 {
            return "\(days)d" + twoDigits(hours) + "h"
        }
        if hours > 0 {
            return "\(hours)h" + twoDigits(minutes) + "m"
        }
        if minutes > 0 {
            return "\(minutes)m" + twoDigits(seconds) + "s"
        }
        return "\(seconds)s"
    }

    private static func twoDigits(_ value: Int64) -> String {
        value < 10 ? "0\(value)" : String(value)
    }

    private static func leftPadded(_ text: String, to width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }
}
