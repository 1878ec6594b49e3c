package stack

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteText prints the report as a table a person scans in a CI log, then the details
// of every cell that is not "same", then a one-line verdict.
func (r *Report) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "KIND\tNAME\t%s\n", strings.Join(upper(r.Environments), "\t"))
	for _, row := range r.Rows {
		statuses := make([]string, len(row.Cells))
		for i, c := range row.Cells {
			statuses[i] = string(c.Status)
			if c.Status.Failing() {
				statuses[i] = strings.ToUpper(statuses[i])
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", row.Kind, row.Name, strings.Join(statuses, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var details []string
	for _, row := range r.Rows {
		for _, c := range row.Cells {
			if line := c.describe(); line != "" {
				details = append(details, fmt.Sprintf("  %s[%s] in %s: %s", row.Kind, row.Name, c.Env, line))
			}
		}
	}
	if len(details) > 0 {
		fmt.Fprintf(w, "\n%s\n", strings.Join(details, "\n"))
	}
	verdict := "OK: every difference between environments is declared"
	if r.Live != "" {
		verdict += " and " + r.Live + " matches the code"
	}
	if r.Failed() {
		verdict = fmt.Sprintf("FAIL: %d undeclared, %d drifted", r.Undeclared, r.Drifted)
	}
	_, err := fmt.Fprintf(w, "\n%d resources × %d environments. %s.\n", len(r.Rows), len(r.Environments), verdict)
	return err
}

func (c Cell) describe() string {
	var parts []string
	switch c.Status {
	case StatusSame, StatusAbsent:
		return ""
	case StatusOverridden:
		for _, o := range c.Overrides {
			parts = append(parts, o.Field+"="+o.Value)
		}
		s := "overridden: " + strings.Join(parts, ", ")
		if c.Reason != "" {
			s += " (" + c.Reason + ")"
		}
		return s
	case StatusExcluded:
		return "excluded: " + c.Reason
	}
	s := string(c.Status) + ": " + c.Detail
	for _, o := range c.Overrides {
		parts = append(parts, o.Field+"="+o.Value)
	}
	if len(parts) > 0 {
		s += " (live: " + strings.Join(parts, ", ") + ")"
	}
	return s
}

func upper(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.ToUpper(s)
	}
	return out
}
