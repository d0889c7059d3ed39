package gomailmime

import (
	"io"
	"mime"
	"time"
	"unicode/utf8"

	"github.com/go-gomail/gomail"

	"github.com/gmailsend/gmailsend"
)

// Built is a message ready for gomail.Send, with what the caller is told.
type Built struct {
	Message   *gomail.Message
	MessageID string   // with angle brackets, as in the header
	Accepted  []string // the envelope recipients
}

// Build turns a validated Mail into a gomail message. now is the Date header.
func Build(m *gmailsend.Mail, now time.Time) *Built {
	msg := gomail.NewMessage()
	id := NewMessageID(m.From.Email)

	msg.SetHeader("From", formatAddress(msg, m.From))
	setAddresses(msg, "To", m.To)
	setAddresses(msg, "Cc", m.Cc)
	// gomail keeps Bcc in the envelope and leaves it out of the headers.
	setAddresses(msg, "Bcc", m.Bcc)
	setAddresses(msg, "Reply-To", m.ReplyTo)
	msg.SetHeader("Subject", forceEncodedWords(m.Subject))
	msg.SetDateHeader("Date", now)
	msg.SetHeader("Message-ID", id)
	if m.Unsubscribe != "" {
		// RFC 8058: an https URI that a POST of exactly this body
		// unsubscribes; Gmail's DKIM signature covers both headers.
		msg.SetHeader("List-Unsubscribe", "<"+m.Unsubscribe+">")
		msg.SetHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	}

	text := m.Text
	if text == "" {
		text = PlainText(m.HTML)
	}
	// Text first: in multipart/alternative the last part is the preferred one.
	msg.SetBody("text/plain", text, bodyEncoding(text))
	if m.HTML != "" {
		msg.AddAlternative("text/html", m.HTML, bodyEncoding(m.HTML))
	}

	for _, f := range m.Attachments {
		data := f.Data
		msg.Attach(f.Name,
			gomail.SetHeader(attachmentHeader(f)),
			gomail.SetCopyFunc(func(w io.Writer) error {
				_, err := w.Write(data)
				return err
			}))
	}
	return &Built{Message: msg, MessageID: id, Accepted: m.Recipients()}
}

// formatAddress encodes a validated address. The address part is ASCII and
// free of specials (gmailsend.ParseAddress guarantees it); gomail quotes or
// RFC 2047-encodes the name.
func formatAddress(msg *gomail.Message, a gmailsend.Address) string {
	return msg.FormatAddress(a.Email, a.Name)
}

func setAddresses(msg *gomail.Message, header string, list []gmailsend.Address) {
	if len(list) == 0 {
		return
	}
	values := make([]string, len(list))
	for i, a := range list {
		values[i] = formatAddress(msg, a)
	}
	// SetHeader would Q-encode an already formatted value only if it held
	// non-ASCII bytes, which formatAddress never leaves.
	msg.SetHeader(header, values...)
}

// attachmentHeader writes Content-Type and Content-Disposition with the
// file name as a MIME parameter: mime.FormatMediaType encodes non-ASCII
// names (Korean file names) per RFC 2231 where gomail would write them raw.
func attachmentHeader(f gmailsend.File) map[string][]string {
	mt, params, err := mime.ParseMediaType(f.ContentType)
	if err != nil {
		mt, params = "application/octet-stream", map[string]string{}
	}
	params["name"] = f.Name
	return map[string][]string{
		"Content-Type":        {mime.FormatMediaType(mt, params)},
		"Content-Disposition": {mime.FormatMediaType("attachment", map[string]string{"filename": f.Name})},
	}
}

// bodyEncoding picks base64 for mostly non-ASCII text (Hangul takes 9 bytes
// per character in quoted-printable, 4 in base64) and quoted-printable,
// readable in the raw message, otherwise.
func bodyEncoding(s string) gomail.PartSetting {
	nonASCII := len(s) - utf8.RuneCountInString(s) // extra bytes of multibyte runes
	if nonASCII*3 > len(s) {
		return gomail.SetPartEncoding(gomail.Base64)
	}
	return gomail.SetPartEncoding(gomail.QuotedPrintable)
}
