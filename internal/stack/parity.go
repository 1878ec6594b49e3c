package stack

import (
	"fmt"
	"sort"
	"strings"
)

// Status is the state of one resource in one environment in a parity report.
type Status string

const (
	// StatusSame: the resource applies as defined.
	StatusSame Status = "same"
	// StatusOverridden: the environment changes some fields (overlay or its variables).
	StatusOverridden Status = "overridden"
	// StatusExcluded: only/except leave the resource out, with a reason.
	StatusExcluded Status = "excluded"
	// StatusAbsent: the resource is not defined for this environment in code at all
	// (rows that exist only on a live server).
	StatusAbsent Status = "absent"
	// StatusUndeclared: the environments differ and nothing declares why.
	StatusUndeclared Status = "undeclared"
	// StatusDrift: the running server differs from the code.
	StatusDrift Status = "drift"
)

// Failing reports whether the status makes `tocsin parity` exit 1.
func (s Status) Failing() bool { return s == StatusUndeclared || s == StatusDrift }

// Cell is one resource in one environment.
type Cell struct {
	Env       string     `json:"environment"`
	Status    Status     `json:"status"`
	Overrides []Override `json:"overrides,omitempty"`
	Reason    string     `json:"reason,omitempty"`
	Detail    string     `json:"detail,omitempty"`
}

// Row is one resource across every environment.
type Row struct {
	Kind  string `json:"kind"`
	Name  string `json:"name"`
	Cells []Cell `json:"cells"`
}

// Report is the environment × resource matrix. Its JSON form is stable (documented in
// docs/stack.md).
type Report struct {
	Environments []string `json:"environments"`
	Live         string   `json:"live,omitempty"`
	Rows         []*Row   `json:"rows"`
	Undeclared   int      `json:"undeclared"`
	Drifted      int      `json:"drifted"`
}

// Failed reports whether anything is undeclared or drifted.
func (r *Report) Failed() bool { return r.Undeclared+r.Drifted > 0 }

// Parity builds the matrix of a stack's resources across its environments.
func Parity(st *Stack) *Report {
	rep := &Report{}
	for _, e := range st.Envs {
		rep.Environments = append(rep.Environments, e.Name)
	}
	for _, e := range st.Envs {
		for _, en := range e.Entries {
			rep.row(en.Kind.Name, en.Name)
		}
		for _, ex := range e.Excluded {
			rep.row(ex.Kind.Name, ex.Name)
		}
	}
	for _, row := range rep.Rows {
		for i, e := range st.Envs {
			row.Cells[i] = codeCell(e, row)
		}
		markUndeclared(row)
	}
	sort.SliceStable(rep.Rows, func(i, j int) bool { return kindIndex(rep.Rows[i].Kind) < kindIndex(rep.Rows[j].Kind) })
	rep.count()
	return rep
}

func kindIndex(name string) int {
	for i, k := range kinds {
		if k.Name == name {
			return i
		}
	}
	return len(kinds)
}

// row returns the row for kind/name, adding it in first-seen order.
func (r *Report) row(kind, name string) *Row {
	for _, row := range r.Rows {
		if row.Kind == kind && row.Name == name {
			return row
		}
	}
	row := &Row{Kind: kind, Name: name, Cells: make([]Cell, len(r.Environments))}
	for i, e := range r.Environments {
		row.Cells[i] = Cell{Env: e, Status: StatusAbsent}
	}
	r.Rows = append(r.Rows, row)
	return row
}

func codeCell(e *Env, row *Row) Cell {
	c := Cell{Env: e.Name, Status: StatusAbsent}
	if en := e.Get(row.Kind, row.Name); en != nil {
		c.Status = StatusSame
		if en.AddedBy != "" {
			c.Reason = en.Reason
			c.Detail = "added by " + en.AddedBy
			if strings.TrimSpace(en.Reason) == "" {
				c.Status = StatusUndeclared
				c.Detail = fmt.Sprintf("exists only where %s adds it, and no reason is given", en.AddedBy)
			}
		} else if len(en.Overrides) > 0 {
			c.Status, c.Overrides, c.Reason = StatusOverridden, en.Overrides, en.Reason
		}
		return c
	}
	for _, ex := range e.Excluded {
		if ex.Kind.Name == row.Kind && ex.Name == row.Name {
			c.Status, c.Reason = StatusExcluded, ex.Reason
		}
	}
	return c
}

// markUndeclared turns the absent cells of a resource that some overlay added without a
// reason into undeclared ones; with a reason they are excluded.
func markUndeclared(row *Row) {
	var where []string
	declared := ""
	for _, c := range row.Cells {
		if c.Detail != "" && (c.Status == StatusUndeclared || c.Status == StatusSame) {
			where = append(where, c.Env)
			if c.Status == StatusSame {
				declared = c.Reason
			}
		}
	}
	if len(where) == 0 {
		return
	}
	for i, c := range row.Cells {
		if c.Status != StatusAbsent {
			continue
		}
		if declared != "" {
			row.Cells[i].Status, row.Cells[i].Reason = StatusExcluded, declared
		} else {
			row.Cells[i].Status = StatusUndeclared
			row.Cells[i].Detail = "missing here: exists only in " + strings.Join(where, ", ")
		}
	}
}

func (r *Report) count() {
	r.Undeclared, r.Drifted = 0, 0
	for _, row := range r.Rows {
		for _, c := range row.Cells {
			switch c.Status {
			case StatusUndeclared:
				r.Undeclared++
			case StatusDrift:
				r.Drifted++
			}
		}
	}
}

// LiveResource is one resource as a running server applies it.
type LiveResource struct {
	Kind     string         `json:"kind"`
	Name     string         `json:"name"`
	Origin   string         `json:"origin"` // "stack" or "api"
	Resource map[string]any `json:"resource"`
}

// CompareLive marks drift between the code (st) and what a server applies in env.
func (r *Report) CompareLive(st *Stack, env string, live []LiveResource) {
	col := -1
	for i, e := range r.Environments {
		if e == env {
			col = i
		}
	}
	e := st.Env(env)
	if col < 0 || e == nil {
		return
	}
	seen := map[string]bool{}
	for _, lr := range live {
		seen[lr.Kind+"\x00"+lr.Name] = true
		row := r.row(lr.Kind, lr.Name)
		en := e.Get(lr.Kind, lr.Name)
		if en == nil {
			row.Cells[col] = Cell{Env: env, Status: StatusDrift, Detail: "created at runtime (origin: " + lr.Origin + "), not in the code"}
			continue
		}
		code, err := Canonical(en.Resource)
		if err != nil {
			continue
		}
		var fields []string
		diffFields(code, lr.Resource, "", &fields)
		if len(fields) > 0 {
			c := Cell{Env: env, Status: StatusDrift, Detail: "changed at runtime: " + strings.Join(fields, ", ")}
			for _, f := range fields {
				c.Overrides = append(c.Overrides, Override{Field: f, Value: displayJSON(valueAt(lr.Resource, f))})
			}
			row.Cells[col] = c
		}
	}
	for _, en := range e.Entries {
		if !seen[en.Kind.Name+"\x00"+en.Name] {
			row := r.row(en.Kind.Name, en.Name)
			row.Cells[col] = Cell{Env: env, Status: StatusDrift, Detail: "deleted at runtime (or not deployed yet)"}
		}
	}
	r.count()
}
