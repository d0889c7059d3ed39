package devstack

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"

	"github.com/gmailsend/gmailsend/dev/devsmtp"
)

// Summary is a delivered message as a person would want to see it.
type Summary struct {
	Path     string
	Envelope string   // MAIL FROM → RCPT TO
	From     string   // decoded
	To, Cc   string   // decoded
	Subject  string   // decoded
	Parts    []string // content types, with attachment names and sizes
}

// Summarize reads a delivered message back with net/mail and
// mime/multipart.
func Summarize(m devsmtp.Message) (Summary, error) {
	s := Summary{Path: m.Path, Envelope: m.From + " → " + strings.Join(m.To, ", ")}
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		return s, err
	}
	dec := new(mime.WordDecoder)
	decode := func(h string) string {
		v, err := dec.DecodeHeader(msg.Header.Get(h))
		if err != nil {
			return msg.Header.Get(h)
		}
		return v
	}
	s.From, s.To, s.Cc, s.Subject = decode("From"), decode("To"), decode("Cc"), decode("Subject")
	s.Parts = parts(msg.Header.Get("Content-Type"), "", msg.Body, 0)
	return s, nil
}

func parts(ctype, disp string, body io.Reader, depth int) []string {
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		return []string{"unparsable: " + ctype}
	}
	indent := strings.Repeat("  ", depth)
	if strings.HasPrefix(mt, "multipart/") {
		out := []string{indent + mt}
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err != nil {
				break
			}
			out = append(out, parts(p.Header.Get("Content-Type"), p.Header.Get("Content-Disposition"), p, depth+1)...)
		}
		return out
	}
	n, _ := io.Copy(io.Discard, body)
	line := fmt.Sprintf("%s%s (%d bytes encoded)", indent, mt, n)
	if _, dp, err := mime.ParseMediaType(disp); err == nil && dp["filename"] != "" {
		line = fmt.Sprintf("%s%s attachment %q (%d bytes encoded)", indent, mt, dp["filename"], n)
	}
	return []string{line}
}

// String renders the summary for a terminal.
func (s Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "  envelope: %s\n  From:     %s\n  To:       %s\n", s.Envelope, s.From, s.To)
	if s.Cc != "" {
		fmt.Fprintf(&b, "  Cc:       %s\n", s.Cc)
	}
	fmt.Fprintf(&b, "  Subject:  %s\n  parts:\n", s.Subject)
	for _, p := range s.Parts {
		fmt.Fprintf(&b, "    %s\n", p)
	}
	if s.Path != "" {
		fmt.Fprintf(&b, "  saved:    %s\n", s.Path)
	}
	return b.String()
}
