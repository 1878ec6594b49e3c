package putmetric

import (
	"math"
	"time"
)

// parseRFC3339 parses YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM), the RFC 3339 profile that
// time.RFC3339Nano names, with upper-case T and Z as Go requires. Digits of the fraction
// past nanoseconds are dropped, as time.Parse does. It does not allocate.
func parseRFC3339(b []byte) (time.Time, bool) {
	if len(b) < len("2006-01-02T15:04:05Z") || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' {
		return time.Time{}, false
	}
	ok := true
	num := func(s []byte, lo, hi int) int {
		n := 0
		for _, c := range s {
			if c < '0' || c > '9' {
				ok = false
			}
			n = n*10 + int(c-'0')
		}
		if n < lo || n > hi {
			ok = false
		}
		return n
	}
	year, month := num(b[0:4], 0, 9999), num(b[5:7], 1, 12)
	day := num(b[8:10], 1, daysIn(month, year))
	hour, minute, sec := num(b[11:13], 0, 23), num(b[14:16], 0, 59), num(b[17:19], 0, 59)
	rest := b[19:]
	nsec := 0
	if rest[0] == '.' {
		i := 1
		for ; i < len(rest) && rest[i] >= '0' && rest[i] <= '9'; i++ {
			if i <= 9 {
				nsec = nsec*10 + int(rest[i]-'0')
			}
		}
		if i == 1 {
			return time.Time{}, false
		}
		for j := min(i, 10); j < 10; j++ {
			nsec *= 10
		}
		rest = rest[i:]
	}
	offset := 0
	switch {
	case len(rest) == 1 && rest[0] == 'Z':
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		offset = (num(rest[1:3], 0, 23)*60 + num(rest[4:6], 0, 59)) * 60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return time.Time{}, false
	}
	if !ok {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	return t.Add(-time.Duration(offset) * time.Second), true
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// maxUnix bounds the numbers taken for Unix times: beyond it lies no time worth reading,
// and conversions to int64 stay exact.
const maxUnix = 1e16

// unixTime converts Unix seconds, or milliseconds when v > 1e12, to a UTC time, rounding
// to the nanosecond (to the microsecond's fraction for milliseconds).
func unixTime(v float64) (time.Time, bool) {
	if !(math.Abs(v) < maxUnix) {
		return time.Time{}, false
	}
	whole := math.Floor(v)
	frac := v - whole // exact: whole and v share an exponent range
	if v > 1e12 {
		ms := int64(whole)
		return time.Unix(ms/1000, ms%1000*1e6+int64(math.Round(frac*1e6))).UTC(), true
	}
	return time.Unix(int64(whole), int64(math.Round(frac*1e9))).UTC(), true
}
