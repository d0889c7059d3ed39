package gmailsend

import (
	"encoding/base64"
	"strings"
	"testing"
)

// TestHeaderLengthLimits ensures each header-bound field is accepted at its limit and refused one byte over it with invalid_request naming the field.
func TestHeaderLengthLimits(t *testing.T) {
	local := func(n int) string { return strings.Repeat("a", n) }
	// A 254-octet address: a 64-octet local part and a 189-octet domain.
	longDomain := strings.Repeat("d", 60) + "." + strings.Repeat("e", 60) + "." + strings.Repeat("f", 63) + ".com"
	name := func(n int) string { return strings.Repeat("가", n/3) + strings.Repeat("x", n%3) } // Hangul: 3 octets each
	cases := []struct {
		name       string
		field      string
		atLimit    func(*Request)
		overLimit  func(*Request)
		overReason string
	}{
		{"subject (ASCII)", "subject",
			func(r *Request) { r.Subject = strings.Repeat("s", 998) },
			func(r *Request) { r.Subject = strings.Repeat("s", 999) }, "at most 998 bytes"},
		{"subject (Hangul)", "subject",
			func(r *Request) { r.Subject = name(998) },
			func(r *Request) { r.Subject = name(999) }, "333 characters"},
		{"fromUsername", "fromUsername",
			func(r *Request) { r.FromUsername = name(200) },
			func(r *Request) { r.FromUsername = name(201) }, "at most 200 bytes"},
		{"display name in toEmail", "toEmail[1]",
			func(r *Request) { r.ToEmail = AddressList{"a@example.com", `"` + name(200) + `" <b@example.com>`} },
			func(r *Request) { r.ToEmail = AddressList{"a@example.com", `"` + name(201) + `" <b@example.com>`} }, "display name"},
		{"address entry in cc", "cc",
			func(r *Request) { r.Cc = AddressList{"c@example.com"} },
			func(r *Request) { r.Cc = AddressList{`"` + strings.Repeat("n", 990) + `" <c@example.com>`} }, "address entry"},
		{"address length in replyTo", "replyTo",
			func(r *Request) { r.ReplyTo = AddressList{local(64) + "@" + longDomain} },
			func(r *Request) { r.ReplyTo = AddressList{local(64) + "@x" + longDomain} }, "longer than 254"},
		{"local part in bcc", "bcc",
			func(r *Request) { r.Bcc = AddressList{local(64) + "@example.com"} },
			func(r *Request) { r.Bcc = AddressList{local(65) + "@example.com"} }, "local part longer than 64"},
		{"user", "user",
			func(r *Request) { r.User = local(64) + "@" + longDomain },
			func(r *Request) { r.User = local(64) + "@" + longDomain + strings.Repeat("x", 100_000) }, "at most 254 bytes"},
		{"attachment file name", "attachments[0].filename",
			func(r *Request) { r.Attachments = []Attachment{file(strings.Repeat("f", 251)+".txt", "")} },
			func(r *Request) { r.Attachments = []Attachment{file(strings.Repeat("f", 252)+".txt", "")} }, "255 bytes"},
		{"attachment content type", "attachments[0].contentType",
			func(r *Request) { r.Attachments = []Attachment{file("a.txt", "text/plain; x="+local(984))} },
			func(r *Request) { r.Attachments = []Attachment{file("a.txt", "text/plain; x="+local(985))} }, "at most 998 bytes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := validRequest()
			c.atLimit(r)
			if _, err := Validate(r, DefaultLimits()); err != nil {
				t.Fatalf("at the limit: %v", err)
			}
			r = validRequest()
			c.overLimit(r)
			_, err := Validate(r, DefaultLimits())
			wantInvalid(t, err, c.field, c.overReason)
		})
	}
}

func file(name, contentType string) Attachment {
	return Attachment{Filename: name, ContentType: contentType, Content: base64.StdEncoding.EncodeToString([]byte("data"))}
}

// TestHundredKilobyteSubjectRefused ensures the case the issue reported (a 100 KB subject) is refused by Validate, the step before the message is built.
func TestHundredKilobyteSubjectRefused(t *testing.T) {
	r := validRequest()
	r.Subject = strings.Repeat("제목", 100<<10/6)
	_, err := Validate(r, DefaultLimits())
	wantInvalid(t, err, "subject", "at most 998 bytes")
}
