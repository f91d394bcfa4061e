/** "Sat 2026-11-28 06:00 CET": an instant as a person in `timezone` reads it. */
export function localTime(at: Date | string, timezone: string): string {
    const parts = Object.fromEntries(
        new Intl.DateTimeFormat("en-GB", {
            timeZone: timezone,
            weekday: "short",
            year: "numeric",
            month: "2-digit",
            day: "2-digit",
            hour: "2-digit",
            minute: "2-digit",
            hourCycle: "h23",
            timeZoneName: "short",
        })
            .formatToParts(typeof at === "string" ? new Date(at) : at)
            .map((p) => [p.type, p.value]),
    );
    return `${parts.weekday} ${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${parts.timeZoneName}`;
}
