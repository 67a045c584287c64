#if canImport(Glibc)
import Glibc
#endif

/// The system's real-time clock in 100 ns ticks since the Unix epoch, without Foundation.
public enum WallClock {
    public static func nowTicks() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * Timestamp.ticksPerSecond + Int64(spec.tv_nsec) / 100
    }

    /// Returns the current time as a UTC timestamp with seven fractional digits trimmed of trailing zeros.
    public static func now() -> Timestamp {
        Timestamp(ticks: nowTicks())
    }
}
