package gomailmime

import (
	"bytes"
	"mime"
	"net/mail"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend"
)

// FuzzBuild ensures a request is either refused with a 4xx code or built
// into a message whose parsed headers are exactly those the request implies:
// no injected header, no Bcc, the subject and addresses as given.
func FuzzBuild(f *testing.F) {
	f.Add([]byte(`{"user":"me@gmail.com","fromUsername":"홍길동","toEmail":"a@example.com","subject":"회의 안내","message":"<p>x</p>"}`))
	f.Add([]byte(`{"user":"me@gmail.com","toEmail":["\"Quote \\\"Q\\\"\" <a@example.com>"],"cc":"c@example.com","bcc":"hidden@example.com","replyTo":"r@example.com","subject":"=?utf-8?q?not_encoded?= x","text":"t","attachments":[{"filename":"보고서.pdf","content":"JVBERg=="}]}`))
	f.Add([]byte(`{"user":"me@gmail.com","toEmail":"a@example.com","subject":"` + strings.Repeat("긴 제목 ", 40) + `","message":"m"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := gmailsend.DecodeRequest(body)
		var m *gmailsend.Mail
		if err == nil {
			m, err = gmailsend.Validate(r, gmailsend.DefaultLimits())
		}
		if err != nil {
			if c := gmailsend.CodeOf(err); c != gmailsend.CodeInvalidRequest && c != gmailsend.CodePayloadTooLarge { // 4xx (lambdahandler/codes.go)
				t.Fatalf("refusal with code %s: %v", c, err)
			}
			return
		}
		var buf bytes.Buffer
		if _, err := Build(m, time.Unix(1700000000, 0)).Message.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		msg, err := mail.ReadMessage(&buf)
		if err != nil {
			t.Fatalf("built message does not parse: %v", err)
		}
		want := []string{"Content-Type", "Date", "From", "Message-Id", "Mime-Version", "Subject", "To"}
		if len(m.Attachments) == 0 && m.HTML == "" {
			want = append(want, "Content-Transfer-Encoding")
		}
		if len(m.Cc) > 0 {
			want = append(want, "Cc")
		}
		if len(m.ReplyTo) > 0 {
			want = append(want, "Reply-To")
		}
		var got []string
		for k := range msg.Header {
			got = append(got, k)
		}
		sort.Strings(got)
		sort.Strings(want)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("headers %v, want %v", got, want)
		}
		subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		if err != nil || subject != m.Subject {
			t.Fatalf("subject %q, want %q (%v)", subject, m.Subject, err)
		}
		from, err := msg.Header.AddressList("From")
		if err != nil || len(from) != 1 || from[0].Address != m.From.Email || from[0].Name != m.From.Name {
			t.Fatalf("From %v, want %+v (%v)", from, m.From, err)
		}
		to, err := msg.Header.AddressList("To")
		if err != nil || len(to) != len(m.To) {
			t.Fatalf("To %v, want %+v (%v)", to, m.To, err)
		}
		for i, a := range to {
			if a.Address != m.To[i].Email || a.Name != m.To[i].Name {
				t.Fatalf("To[%d] %v, want %+v", i, a, m.To[i])
			}
		}
	})
}
