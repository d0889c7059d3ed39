package gomailmime

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend"
)

// parsed is a built message read back the way a mail client reads it.
type parsed struct {
	header mail.Header
	parts  map[string][]byte // content type → decoded body (text parts and attachments)
	names  map[string]string // attachment file name → content type
	layout []string          // multipart types, outermost first
}

func render(t *testing.T, b *Built) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := b.Message.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func parse(t *testing.T, raw []byte) parsed {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("net/mail cannot read the message: %v", err)
	}
	p := parsed{header: msg.Header, parts: map[string][]byte{}, names: map[string]string{}}
	walk(t, &p, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), "", msg.Body)
	return p
}

func walk(t *testing.T, p *parsed, ctype, cte, disp string, body io.Reader) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		t.Fatalf("bad Content-Type %q: %v", ctype, err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		p.layout = append(p.layout, mt)
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextRawPart()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			walk(t, p, part.Header.Get("Content-Type"), part.Header.Get("Content-Transfer-Encoding"), part.Header.Get("Content-Disposition"), part)
		}
	}
	data := decodeCTE(t, cte, body)
	if disp != "" {
		_, dp, err := mime.ParseMediaType(disp)
		if err != nil {
			t.Fatalf("bad Content-Disposition %q: %v", disp, err)
		}
		p.names[dp["filename"]] = mt
		p.parts[dp["filename"]] = data
		return
	}
	p.parts[mt] = data
}

// TestBuildRoundTrip ensures what a client parses is exactly what was asked for.
func TestBuildRoundTrip(t *testing.T) {
	m := &gmailsend.Mail{
		From:    gmailsend.Address{Name: "홍길동", Email: "me@gmail.com"},
		To:      []gmailsend.Address{{Name: "김철수", Email: "kim@example.com"}, {Email: "b@example.com"}},
		Cc:      []gmailsend.Address{{Name: `Quote "Q" Name`, Email: "c@example.com"}},
		Bcc:     []gmailsend.Address{{Email: "hidden@example.com"}},
		ReplyTo: []gmailsend.Address{{Email: "reply@example.com"}},
		Subject: "월간 보고서 — 2026년 11월 (긴 제목이 여러 줄로 접혀도 그대로 돌아와야 합니다)",
		HTML:    "<h1>안녕하세요</h1><p>보고서를 <a href=\"https://example.com/r\">첨부</a>합니다.</p>",
		Attachments: []gmailsend.File{
			{Name: "보고서 11월.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.7 \x00\x01\x02 binary")},
			{Name: "data.csv", ContentType: "text/csv", Data: bytes.Repeat([]byte("a,b\r\n"), 100)},
		},
	}
	b := Build(m, time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))
	raw := render(t, b)
	p := parse(t, raw)
	dec := new(mime.WordDecoder)

	subject, _ := dec.DecodeHeader(p.header.Get("Subject"))
	if subject != m.Subject {
		t.Errorf("subject %q", subject)
	}
	from, err := p.header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Name != "홍길동" || from[0].Address != "me@gmail.com" {
		t.Errorf("From %v %v", from, err)
	}
	to, _ := p.header.AddressList("To")
	if len(to) != 2 || to[0].Name != "김철수" || to[1].Address != "b@example.com" {
		t.Errorf("To %v", to)
	}
	cc, _ := p.header.AddressList("Cc")
	if len(cc) != 1 || cc[0].Name != `Quote "Q" Name` {
		t.Errorf("Cc %v", cc)
	}
	if rt, _ := p.header.AddressList("Reply-To"); len(rt) != 1 || rt[0].Address != "reply@example.com" {
		t.Errorf("Reply-To %v", rt)
	}
	if _, ok := p.header["Bcc"]; ok || bytes.Contains(raw, []byte("hidden@example.com")) {
		t.Error("Bcc recipient appears in the message")
	}
	if p.header.Get("Message-Id") != b.MessageID || !strings.HasSuffix(b.MessageID, "@gmail.com>") {
		t.Errorf("Message-ID %q vs %q", p.header.Get("Message-Id"), b.MessageID)
	}
	if d, err := p.header.Date(); err != nil || !d.Equal(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("Date %v %v", d, err)
	}
	if got := strings.Join(p.layout, ","); got != "multipart/mixed,multipart/alternative" {
		t.Errorf("layout %s", got)
	}
	if string(p.parts["text/html"]) != m.HTML {
		t.Errorf("html part %q", p.parts["text/html"])
	}
	if txt := string(p.parts["text/plain"]); !strings.Contains(txt, "안녕하세요") || !strings.Contains(txt, "첨부 (https://example.com/r)") {
		t.Errorf("derived text part %q", txt)
	}
	for _, f := range m.Attachments {
		if !bytes.Equal(p.parts[f.Name], f.Data) || p.names[f.Name] != f.ContentType {
			t.Errorf("attachment %q: type %q, %d bytes", f.Name, p.names[f.Name], len(p.parts[f.Name]))
		}
	}
	if !bytes.Contains(raw, []byte("filename*=utf-8''")) {
		t.Error("non-ASCII file name is not RFC 2231-encoded")
	}
	for _, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > 998 {
			t.Fatalf("line longer than RFC 5322 allows: %d", len(line))
		}
	}
	if strings.Join(b.Accepted, ",") != "kim@example.com,b@example.com,c@example.com,hidden@example.com" {
		t.Errorf("accepted %v", b.Accepted)
	}
}

// TestBuildTextOnly ensures a text-only request is a single text/plain part.
func TestBuildTextOnly(t *testing.T) {
	m := &gmailsend.Mail{From: gmailsend.Address{Email: "me@gmail.com"}, To: []gmailsend.Address{{Email: "a@example.com"}},
		Subject: "plain", Text: "just text"}
	p := parse(t, render(t, Build(m, time.Now())))
	if len(p.layout) != 0 || string(p.parts["text/plain"]) != "just text" {
		t.Fatalf("layout %v parts %q", p.layout, p.parts)
	}
}

// TestCheckSize ensures the exact encoded size is enforced near the limit, for attachments and for bodies that grow when encoded.
func TestCheckSize(t *testing.T) {
	for name, m := range map[string]*gmailsend.Mail{
		"attachment": {Subject: "s", HTML: "<p>x</p>", Attachments: []gmailsend.File{{Name: "a.bin", ContentType: "application/octet-stream", Data: make([]byte, 30000)}}},
		// "=" triples in quoted-printable, in the HTML and in the text derived from it.
		"quoted-printable body": {Subject: "s", HTML: "<p>" + strings.Repeat("=", 100_000) + "</p>"},
		"Hangul body":           {Subject: "s", HTML: strings.Repeat("안녕하세요 ", 20_000)},
	} {
		m.From, m.To = gmailsend.Address{Email: "me@gmail.com"}, []gmailsend.Address{{Email: "a@example.com"}}
		b := Build(m, time.Now())
		n, _ := b.Message.WriteTo(io.Discard)
		if err := CheckSize(b, m, n); err != nil {
			t.Fatalf("%s: a message of exactly the limit is refused: %v", name, err)
		}
		if err := CheckSize(b, m, n-1); gmailsend.CodeOf(err) != gmailsend.CodePayloadTooLarge {
			t.Fatalf("%s: one byte over the limit: %v", name, err)
		}
	}
}
