package notify

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Body is the message's text as channels without their own layout send it: the
// subscription's template when it has one, else PlainText.
func Body(m *Message, cfg *Config) (string, error) {
	if cfg == nil || cfg.Template == nil {
		return PlainText(m), nil
	}
	var b bytes.Buffer
	if err := cfg.Template.Execute(&b, m); err != nil {
		return "", &Failure{Code: "TEMPLATE", Message: err.Error()}
	}
	return b.String(), nil
}

// PlainText is the default readable text of a message: the title, the words, every alarm
// of a group with its numbers, recent changes (annotations) and the links.
func PlainText(m *Message) string {
	var b strings.Builder
	b.WriteString(m.Title)
	b.WriteString("\n")
	if m.Text != "" {
		b.WriteString("\n")
		b.WriteString(m.Text)
		b.WriteString("\n")
	}
	if len(m.Alarms) > 1 {
		fmt.Fprintf(&b, "\n%d alarms:\n", len(m.Alarms))
		for _, a := range m.Alarms {
			b.WriteString("- ")
			b.WriteString(ItemLine(&a))
			b.WriteString("\n")
		}
	}
	if len(m.Annotations) > 0 {
		b.WriteString("\nRecent changes:\n")
		for _, a := range m.Annotations {
			fmt.Fprintf(&b, "- %s %s\n", a.Time.UTC().Format("2006-01-02 15:04 UTC"), a.Text)
		}
	}
	if l := m.Links; l.Alarm != "" || l.Incident != "" || l.Acknowledge != "" {
		b.WriteString("\n")
		for _, link := range []struct{ name, url string }{{"Alarm", l.Alarm}, {"Incident", l.Incident}, {"Acknowledge", l.Acknowledge}} {
			if link.url != "" {
				fmt.Fprintf(&b, "%s: %s\n", link.name, link.url)
			}
		}
	}
	return b.String()
}

// ShortText fits a message in about limit characters (SMS): the title, then as much of
// the text as fits, then the acknowledge link when there is one.
func ShortText(m *Message, limit int) string {
	s := m.Title
	if rest := limit - len(s) - 1; m.Text != "" && rest > 10 {
		t := m.Text
		if len(t) > rest {
			t = strings.TrimSpace(t[:rest-1]) + "…"
		}
		s += "\n" + t
	}
	if ack := m.Links.Acknowledge; ack != "" {
		s += "\nAck: " + ack
	}
	return s
}

// ItemLine is one alarm instance in words: "disk[InstanceId=i-1] ALARM since 10:04 UTC:
// Maximum 97 > 90 (min 91, avg 94, max 97)".
func ItemLine(a *AlarmItem) string {
	var b strings.Builder
	b.WriteString(a.Name)
	b.WriteString(" ")
	b.WriteString(a.State)
	if !a.Since.IsZero() {
		b.WriteString(" since ")
		b.WriteString(a.Since.UTC().Format("15:04 UTC"))
	}
	if s := Stats(a); s != "" {
		b.WriteString(": ")
		b.WriteString(s)
	}
	return b.String()
}

// Values says what was compared with the threshold, and the raw samples behind it:
// "System/DiskUsed Maximum of the last 3 periods: 91, 95, 97 (threshold > 90); samples:
// min 12, avg 80, max 97 over 15".
func Values(a *AlarmItem) string {
	var b strings.Builder
	if len(a.Values) > 0 {
		vs := make([]string, len(a.Values))
		for i, v := range a.Values {
			vs[i] = Number(v) + a.unitSuffix()
		}
		fmt.Fprintf(&b, "%s %s of the last %d periods: %s", a.Metric, a.Statistic, len(a.Values), strings.Join(vs, ", "))
		if a.Threshold != nil {
			fmt.Fprintf(&b, " (threshold %s %s%s)", ComparisonSymbol(a.Comparison), Number(*a.Threshold), a.unitSuffix())
		}
		b.WriteString(".")
	}
	if a.Min != nil && a.Avg != nil && a.Max != nil {
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "Samples: min %s, avg %s, max %s over %s.", Number(*a.Min)+a.unitSuffix(), Number(*a.Avg)+a.unitSuffix(), Number(*a.Max)+a.unitSuffix(), Number(a.Samples))
	}
	return b.String()
}

// Stats says the evaluated numbers of an alarm item: "min 91, avg 94, max 97 (threshold
// > 90)"; "" when there are none.
func Stats(a *AlarmItem) string {
	var parts []string
	for _, p := range []struct {
		name string
		v    *float64
	}{{"min", a.Min}, {"avg", a.Avg}, {"max", a.Max}} {
		if p.v != nil {
			parts = append(parts, p.name+" "+Number(*p.v)+a.unitSuffix())
		}
	}
	s := strings.Join(parts, ", ")
	if a.Threshold != nil {
		t := fmt.Sprintf("threshold %s %s%s", ComparisonSymbol(a.Comparison), Number(*a.Threshold), a.unitSuffix())
		if s == "" {
			return t
		}
		s += " (" + t + ")"
	}
	return s
}

func (a *AlarmItem) unitSuffix() string {
	switch a.Unit {
	case "", "None", "Count":
		return ""
	case "Percent":
		return "%"
	}
	return " " + a.Unit
}

// Number prints a value briefly: integers without decimals, others with up to 3
// significant decimals.
func Number(v float64) string {
	if v == float64(int64(v)) && v < 1e15 && v > -1e15 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// ComparisonSymbol turns CloudWatch's operator names into >, >=, <, <=.
func ComparisonSymbol(op string) string {
	switch op {
	case "GreaterThanThreshold":
		return ">"
	case "GreaterThanOrEqualToThreshold":
		return ">="
	case "LessThanThreshold":
		return "<"
	case "LessThanOrEqualToThreshold":
		return "<="
	}
	return op
}

// Ago says how long since t, in words ("12m", "3h 5m").
func Ago(t, now time.Time) string {
	d := now.Sub(t).Round(time.Minute)
	switch {
	case d < time.Minute:
		return "less than a minute"
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh %dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd %dh", int(d.Hours())/24, int(d.Hours())%24)
}

// StateColor is the colour of a state as 0xRRGGBB: red for ALARM, green for OK, grey for
// INSUFFICIENT_DATA, blue otherwise.
func StateColor(state string) int {
	switch state {
	case "ALARM":
		return 0xD93F0B
	case "OK":
		return 0x2DA44E
	case "INSUFFICIENT_DATA":
		return 0x8C959F
	}
	return 0x0969DA
}
