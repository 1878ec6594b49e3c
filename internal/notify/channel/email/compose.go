package email

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/notify"
	"github.com/tocsin/tocsin/internal/notify/graph"
)

// graphCID is the Content-ID of the inline graph.
const graphCID = "graph@tocsin"

// compose builds the whole message: headers, then multipart/alternative of the text and
// the HTML (inside multipart/related with the graph when there is one).
func compose(m *notify.Message, from string, to []string, text string, now time.Time) ([]byte, error) {
	var png []byte
	if m.Graph != nil && len(m.Graph.Points) > 0 {
		var err error
		if png, err = graph.PNG(m.Graph, 600, 200); err != nil {
			return nil, err
		}
	}
	var html bytes.Buffer
	if err := page.Execute(&html, htmlData(m, png != nil)); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	date := m.Time
	if date.IsZero() {
		date = now
	}
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	header("From", from)
	header("To", strings.Join(to, ", "))
	header("Subject", mime.QEncoding.Encode("utf-8", subject(m.Title)))
	header("Date", date.Format(time.RFC1123Z))
	header("Message-ID", "<"+m.ID+"@tocsin>")
	header("X-Tocsin-Message-Id", m.ID)
	header("MIME-Version", "1.0")
	alt := multipart.NewWriter(&b)
	header("Content-Type", "multipart/alternative; boundary="+alt.Boundary())
	b.WriteString("\r\n")
	if err := qpPart(alt, "text/plain; charset=utf-8", text); err != nil {
		return nil, err
	}
	if png == nil {
		if err := qpPart(alt, "text/html; charset=utf-8", html.String()); err != nil {
			return nil, err
		}
		return b.Bytes(), alt.Close()
	}
	var rel bytes.Buffer
	related := multipart.NewWriter(&rel)
	if err := qpPart(related, "text/html; charset=utf-8", html.String()); err != nil {
		return nil, err
	}
	w, err := related.CreatePart(textproto.MIMEHeader{"Content-Type": {"image/png"}, "Content-Transfer-Encoding": {"base64"},
		"Content-ID": {"<" + graphCID + ">"}, "Content-Disposition": {`inline; filename="graph.png"`}})
	if err != nil {
		return nil, err
	}
	enc := base64.StdEncoding.EncodeToString(png)
	for len(enc) > 76 {
		fmt.Fprintf(w, "%s\r\n", enc[:76])
		enc = enc[76:]
	}
	fmt.Fprintf(w, "%s\r\n", enc)
	if err := related.Close(); err != nil {
		return nil, err
	}
	p, err := alt.CreatePart(textproto.MIMEHeader{"Content-Type": {"multipart/related; boundary=" + related.Boundary()}})
	if err != nil {
		return nil, err
	}
	p.Write(rel.Bytes())
	return b.Bytes(), alt.Close()
}

// subject is the title on one line, at most 200 characters.
func subject(title string) string {
	s := strings.Join(strings.Fields(title), " ")
	if r := []rune(s); len(r) > 200 {
		s = string(r[:199]) + "…"
	}
	return s
}

func qpPart(w *multipart.Writer, contentType, body string) error {
	p, err := w.CreatePart(textproto.MIMEHeader{"Content-Type": {contentType}, "Content-Transfer-Encoding": {"quoted-printable"}})
	if err != nil {
		return err
	}
	qp := quotedprintable.NewWriter(p)
	if _, err := qp.Write([]byte(strings.ReplaceAll(body, "\n", "\r\n"))); err != nil {
		return err
	}
	return qp.Close()
}

type htmlView struct {
	*notify.Message
	Color    string
	Lines    []string
	Items    []notify.AlarmItem
	Graph    bool
	GraphCID string
}

func htmlData(m *notify.Message, withGraph bool) htmlView {
	v := htmlView{Message: m, Color: fmt.Sprintf("#%06x", notify.StateColor(m.State)), Lines: strings.Split(m.Text, "\n"),
		Graph: withGraph, GraphCID: "cid:" + graphCID}
	if len(m.Alarms) > 1 {
		v.Items = m.Alarms
	}
	return v
}

var page = template.Must(template.New("email").Funcs(template.FuncMap{
	"line":  func(a notify.AlarmItem) string { return notify.ItemLine(&a) },
	"stamp": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"safe":  func(s string) template.URL { return template.URL(s) },
}).Parse(`<!doctype html>
<html><body style="margin:0;padding:16px;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#1f2328;background:#f6f8fa">
<table role="presentation" width="100%" style="max-width:640px;margin:0 auto;background:#ffffff;border:1px solid #d0d7de;border-radius:6px;border-collapse:separate">
<tr><td style="height:6px;background:{{.Color}};border-radius:6px 6px 0 0"></td></tr>
<tr><td style="padding:16px 20px">
<h1 style="font-size:18px;margin:0 0 12px">{{.Title}}</h1>
{{range .Lines}}<p style="margin:0 0 6px;font-size:14px">{{.}}</p>{{end}}
{{if .Graph}}<p style="margin:12px 0"><img src="{{safe .GraphCID}}" width="600" height="200" alt="The metric around the change, with the threshold" style="max-width:100%;height:auto"></p>{{end}}
{{if .Items}}<table role="presentation" style="margin:12px 0;font-size:13px;border-collapse:collapse">
{{range .Items}}<tr><td style="padding:2px 8px 2px 0;border-bottom:1px solid #eaeef2">{{line .}}</td></tr>
{{end}}</table>{{end}}
{{if .Annotations}}<h2 style="font-size:14px;margin:16px 0 6px">Recent changes</h2>
<ul style="margin:0;padding-left:18px;font-size:13px">{{range .Annotations}}<li>{{stamp .Time}} {{.Text}}</li>{{end}}</ul>{{end}}
<p style="margin:16px 0 0">{{if .Links.Alarm}}<a href="{{.Links.Alarm}}" style="display:inline-block;padding:8px 14px;background:#0969da;color:#ffffff;text-decoration:none;border-radius:6px;margin-right:8px">Open alarm</a>{{end}}
{{if .Links.Incident}}<a href="{{.Links.Incident}}" style="display:inline-block;padding:8px 14px;background:#0969da;color:#ffffff;text-decoration:none;border-radius:6px;margin-right:8px">Open incident</a>{{end}}
{{if .Links.Acknowledge}}<a href="{{.Links.Acknowledge}}" style="display:inline-block;padding:8px 14px;background:#1a7f37;color:#ffffff;text-decoration:none;border-radius:6px">Acknowledge</a>{{end}}</p>
<p style="margin:16px 0 0;font-size:12px;color:#656d76">{{.Environment}} · {{stamp .Time}} · tocsin</p>
</td></tr></table></body></html>
`))
