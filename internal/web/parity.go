package web

import (
	"net/http"

	"github.com/tocsin/tocsin/internal/stack"
)

// parityLegend explains each status, in the order the legend lists them.
var parityLegend = []struct {
	Status stack.Status
	Text   string
}{
	{stack.StatusSame, "applies as defined"},
	{stack.StatusOverridden, "the environment changes some fields, for the reason given"},
	{stack.StatusExcluded, "left out of the environment, for the reason given"},
	{stack.StatusAbsent, "not defined for the environment"},
	{stack.StatusUndeclared, "the environments differ and nothing says why (tocsin parity fails)"},
	{stack.StatusDrift, "what the server applies differs from the code: changed, created or deleted at runtime (tocsin parity fails)"},
}

type parityRow struct {
	Kind, Name string
	Cells      []stack.Cell
	Failing    bool
}

type parityData struct {
	Envs                 []string
	Rows                 []parityRow
	Undeclared, Drifted  int
	Differences          bool // only rows that are not the same everywhere
	Total, Shown, Hidden int  // rows; Hidden: environments the viewer may not read
	Legend               []struct {
		Status stack.Status
		Text   string
	}
	AllURL, DiffURL string
}

// parityPage is GET /ui/parity?show=differences: every resource × environment, as
// `tocsin parity --live` reports it against this server, for the environments the
// viewer may read.
func (u *UI) parityPage(w http.ResponseWriter, r *http.Request, p *page) error {
	if u.opts.Parity == nil {
		return errNotFound
	}
	rep, err := u.opts.Parity()
	if err != nil {
		return err
	}
	d := &parityData{Differences: r.URL.Query().Get("show") == "differences", Legend: parityLegend,
		AllURL: Prefix + "/parity", DiffURL: Prefix + "/parity?show=differences"}
	var cols []int
	for i, env := range rep.Environments {
		if p.P.Can(scopeRead, env) {
			cols = append(cols, i)
			d.Envs = append(d.Envs, env)
		} else {
			d.Hidden++
		}
	}
	for _, row := range rep.Rows {
		pr := parityRow{Kind: row.Kind, Name: row.Name}
		defined, same := false, true
		for _, i := range cols {
			c := row.Cells[i]
			pr.Cells = append(pr.Cells, c)
			defined = defined || c.Status != stack.StatusAbsent
			same = same && c.Status == stack.StatusSame
			switch c.Status {
			case stack.StatusUndeclared:
				d.Undeclared++
				pr.Failing = true
			case stack.StatusDrift:
				d.Drifted++
				pr.Failing = true
			}
		}
		if !defined {
			continue
		}
		d.Total++
		if d.Differences && same {
			continue
		}
		d.Rows = append(d.Rows, pr)
	}
	d.Shown = len(d.Rows)
	p.Title, p.Section, p.template, p.Data = "Parity", "parity", "parity", d
	return nil
}
