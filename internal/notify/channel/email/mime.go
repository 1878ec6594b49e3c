package email

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
	"unicode"

	"github.com/tocsin/tocsin/internal/notify"
	"github.com/tocsin/tocsin/internal/notify/graph"
)

// Limits of the message.
const (
	subjectLimit = 200 // characters of the Subject, before encoding
	idLimit      = 200 // characters of the message ID in headers
	foldAt       = 76  // header lines longer than this are folded where they can be
	graphWidth   = 600
	graphHeight  = 200
	graphCID     = "graph@tocsin"
)

// compose renders m as an RFC 5322 message with CRLF line ends: multipart/alternative
// of text/plain and text/html, the HTML inside multipart/related with the graph's PNG
// when m has a graph with points.
func (e *Email) compose(m *notify.Message) ([]byte, error) {
	text, err := notify.Body(m, &notify.Config{Template: e.template})
	if err != nil {
		return nil, &notify.Failure{Code: "TEMPLATE", Message: notify.AsFailure(err).Message}
	}
	var png []byte
	if m.Graph != nil && len(m.Graph.Points) > 0 {
		// Only a size outside graph's limits fails; the message goes without the graph
		// rather than not at all.
		png, _ = graph.PNG(m.Graph, graphWidth, graphHeight)
	}
	custom := ""
	if e.template != nil {
		custom = text
	}
	html, err := renderHTML(m, custom, png != nil)
	if err != nil {
		return nil, &notify.Failure{Code: "INTERNAL", Message: "cannot render the HTML part: " + err.Error()}
	}

	var b bytes.Buffer
	date := m.Time
	if date.IsZero() {
		date = e.now()
	}
	id := sanitizeID(m.ID)
	header(&b, "From", e.from.String())
	header(&b, "To", addressList(e.to))
	header(&b, "Subject", subject(m.Title))
	header(&b, "Date", date.UTC().Format(time.RFC1123Z))
	header(&b, "Message-ID", "<"+id+"@tocsin>")
	header(&b, "X-Tocsin-Message-Id", id)
	header(&b, "MIME-Version", "1.0")
	alt := multipart.NewWriter(&b)
	header(&b, "Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": alt.Boundary()}))
	b.WriteString("\r\n")
	if err := textPart(alt, "text/plain", text); err != nil {
		return nil, err
	}
	if png == nil {
		err = textPart(alt, "text/html", html)
	} else {
		err = relatedPart(alt, html, png)
	}
	if err != nil {
		return nil, err
	}
	if err := alt.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func header(b *bytes.Buffer, name, value string) {
	b.WriteString(name)
	b.WriteString(": ")
	b.WriteString(value)
	b.WriteString("\r\n")
}

// textPart writes s as a quoted-printable UTF-8 part (lines ≤ 76, CRLF).
func textPart(w *multipart.Writer, contentType, s string) error {
	p, err := w.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {contentType + "; charset=utf-8"},
		"Content-Transfer-Encoding": {"quoted-printable"},
	})
	if err != nil {
		return err
	}
	qp := quotedprintable.NewWriter(p)
	if _, err := io.WriteString(qp, strings.ReplaceAll(s, "\r\n", "\n")); err != nil {
		return err
	}
	return qp.Close()
}

// relatedPart writes multipart/related: the HTML, then the PNG it shows as cid:graph@tocsin.
func relatedPart(alt *multipart.Writer, html string, png []byte) error {
	var inner bytes.Buffer
	rel := multipart.NewWriter(&inner)
	if err := textPart(rel, "text/html", html); err != nil {
		return err
	}
	p, err := rel.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {`image/png; name="graph.png"`},
		"Content-Transfer-Encoding": {"base64"},
		"Content-ID":                {"<" + graphCID + ">"},
		"Content-Disposition":       {`inline; filename="graph.png"`},
	})
	if err != nil {
		return err
	}
	enc := base64.StdEncoding.EncodeToString(png)
	for len(enc) > 0 {
		n := min(len(enc), 76)
		if _, err := io.WriteString(p, enc[:n]+"\r\n"); err != nil {
			return err
		}
		enc = enc[n:]
	}
	if err := rel.Close(); err != nil {
		return err
	}
	outer, err := alt.CreatePart(textproto.MIMEHeader{"Content-Type": {mime.FormatMediaType("multipart/related",
		map[string]string{"boundary": rel.Boundary(), "type": "text/html"})}})
	if err != nil {
		return err
	}
	_, err = outer.Write(inner.Bytes())
	return err
}

// subject is the title on one line of at most subjectLimit characters, RFC 2047-encoded
// when it is not plain ASCII.
func subject(title string) string {
	s := strings.Join(strings.FieldsFunc(title, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
	if s == "" {
		s = "tocsin notification"
	}
	if r := []rune(s); len(r) > subjectLimit {
		s = string(r[:subjectLimit-1]) + "…"
	}
	// The encoder splits long text into encoded-words of at most 75 characters but
	// separates them with a space only; fold there (the space is not part of the text).
	return strings.ReplaceAll(mime.QEncoding.Encode("utf-8", s), "?= =?", "?=\r\n =?")
}

// addressList joins addresses with commas, folding the header line where it gets long.
func addressList(as []*mail.Address) string {
	var b strings.Builder
	line := len("To: ")
	for i, a := range as {
		s := a.String()
		if i > 0 {
			if line+2+len(s) > foldAt {
				b.WriteString(",\r\n ")
				line = 1
			} else {
				b.WriteString(", ")
				line += 2
			}
		}
		b.WriteString(s)
		line += len(s)
	}
	return b.String()
}

// sanitizeID keeps the characters a Message-ID may hold (no spaces, <, >, @ or
// controls), so that the header cannot be broken by an odd ID.
func sanitizeID(id string) string {
	if id == "" {
		return "unknown"
	}
	var b strings.Builder
	for _, r := range id {
		if b.Len() >= idLimit {
			break
		}
		switch {
		case r > ' ' && r < 0x7F && !strings.ContainsRune(`<>@()[]\,;:"`, r):
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	return b.String()
}
