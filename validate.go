package gmailsend

import (
	"encoding/base64"
	"mime"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// RequestLimits bound what one request may ask for.
type RequestLimits struct {
	// MaxRecipients bounds To+Cc+Bcc; Gmail accepts 100 per message over SMTP.
	MaxRecipients int
	// MaxMessageBytes bounds the encoded message; Gmail refuses over 25 MiB.
	MaxMessageBytes int64
}

// DefaultLimits are Gmail's own limits.
func DefaultLimits() RequestLimits {
	return RequestLimits{MaxRecipients: 100, MaxMessageBytes: 25 << 20}
}

// Mail is a validated request, ready to be built into a MIME message. It
// carries no credentials.
type Mail struct {
	From        Address
	To, Cc, Bcc []Address
	ReplyTo     []Address
	Subject     string
	HTML        string
	Text        string
	Attachments []File
	// Unsubscribe is the one-click unsubscribe URL (RFC 8058) of the
	// message's one recipient; empty for none.
	Unsubscribe string
}

// File is a decoded attachment.
type File struct {
	Name        string
	ContentType string
	Data        []byte
}

// Recipients is the envelope: every To, Cc and Bcc address once, in order.
func (m *Mail) Recipients() []string {
	seen := make(map[string]bool, len(m.To)+len(m.Cc)+len(m.Bcc))
	var out []string
	for _, list := range [][]Address{m.To, m.Cc, m.Bcc} {
		for _, a := range list {
			k := strings.ToLower(a.Email)
			if !seen[k] {
				seen[k] = true
				out = append(out, a.Email)
			}
		}
	}
	return out
}

// appPassword matches a Google app password as Google displays it;
// compiled on first use, not at every cold start.
var appPassword = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[a-zA-Z]{4} [a-zA-Z]{4} [a-zA-Z]{4} [a-zA-Z]{4}$`)
})

// NormalizePassword removes the spaces Google shows inside an app password
// ("abcd efgh ijkl mnop"); other passwords are left exactly as given.
func NormalizePassword(p string) string {
	if appPassword().MatchString(p) {
		return strings.ReplaceAll(p, " ", "")
	}
	return p
}

// Validate checks the request's message fields and returns the Mail to
// build. The sender account (user) is checked here; whether it may send, and
// with which secret, is the credential resolver's business.
func Validate(r *Request, lim RequestLimits) (*Mail, error) {
	if strings.Trim(r.User, " \t") == "" {
		return nil, Invalid("user", "missing required field: the Gmail address to send from")
	}
	if err := tooLong("user", "the address", strings.Trim(r.User, " \t"), maxAddressLength); err != nil {
		return nil, err
	}
	from, err := ParseAddress("user", strings.Trim(r.User, " \t"))
	if err != nil {
		return nil, err
	}
	if from.Name != "" {
		return nil, Invalid("user", "must be a bare address; put the display name in fromUsername")
	}
	if hasControl(r.FromUsername) {
		return nil, Invalid("fromUsername", "contains a line break or control character")
	}
	from.Name = strings.TrimSpace(r.FromUsername)
	if err := tooLong("fromUsername", "the display name", from.Name, maxDisplayNameLength); err != nil {
		return nil, err
	}

	m := &Mail{From: from}
	if len(r.ToEmail) == 0 {
		return nil, Invalid("toEmail", "missing required field: at least one recipient")
	}
	if m.To, err = parseList("toEmail", r.ToEmail); err != nil {
		return nil, err
	}
	if m.Cc, err = parseList("cc", r.Cc); err != nil {
		return nil, err
	}
	if m.Bcc, err = parseList("bcc", r.Bcc); err != nil {
		return nil, err
	}
	if m.ReplyTo, err = parseList("replyTo", r.ReplyTo); err != nil {
		return nil, err
	}
	if n := len(m.Recipients()); n > lim.MaxRecipients {
		return nil, Invalid("toEmail", "%d recipients in toEmail, cc and bcc; at most %d are allowed per message", n, lim.MaxRecipients)
	}

	if hasControl(r.Subject) {
		return nil, Invalid("subject", "contains a line break or control character")
	}
	// Leading and trailing blanks cannot survive a header (readers trim
	// them), so the subject is what a reader will see.
	m.Subject = strings.Trim(r.Subject, " \t")
	if err := tooLong("subject", "the subject", m.Subject, maxSubjectLength); err != nil {
		return nil, err
	}
	if strings.ContainsRune(r.Message, 0) {
		return nil, Invalid("message", "contains a NUL character")
	}
	if strings.ContainsRune(r.Text, 0) {
		return nil, Invalid("text", "contains a NUL character")
	}
	if strings.TrimSpace(r.Message) == "" && strings.TrimSpace(r.Text) == "" {
		return nil, Invalid("message", "missing required field: the HTML body (or text for a plain-text message)")
	}
	m.HTML, m.Text = r.Message, r.Text

	var raw int64
	for i, a := range r.Attachments {
		f, err := validateAttachment(i, a)
		if err != nil {
			return nil, err
		}
		raw += int64(len(f.Data))
		m.Attachments = append(m.Attachments, f)
	}
	// Base64 grows attachments by 4/3 plus line ends; refuse what cannot fit
	// before anything is built. The built message is measured exactly later.
	if est := raw*4/3 + raw/57*2 + int64(len(m.HTML)+len(m.Text)); est > lim.MaxMessageBytes {
		return nil, Errorf(CodePayloadTooLarge, "attachments", "message would be about %d bytes encoded; the limit is %d", est, lim.MaxMessageBytes)
	}
	return m, nil
}

func parseList(field string, raw AddressList) ([]Address, error) {
	out := make([]Address, 0, len(raw))
	for i, s := range raw {
		name := field
		if len(raw) > 1 {
			name = field + "[" + itoa(i) + "]"
		}
		entry := strings.Trim(s, " \t")
		if err := tooLong(name, "the address entry", entry, maxAddressEntryLength); err != nil {
			return nil, err
		}
		a, err := ParseAddress(name, entry)
		if err != nil {
			return nil, err
		}
		if err := tooLong(name, "the display name", a.Name, maxDisplayNameLength); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

func validateAttachment(i int, a Attachment) (File, error) {
	field := "attachments[" + itoa(i) + "]"
	name := a.Filename
	switch {
	case strings.TrimSpace(name) == "":
		return File{}, Invalid(field+".filename", "missing required field: the attachment's file name")
	case hasControl(name):
		return File{}, Invalid(field+".filename", "contains a line break or control character")
	case strings.ContainsAny(name, `/\`) || name == "." || name == ".." || strings.HasPrefix(name, "~"):
		return File{}, Invalid(field+".filename", "must be a plain file name, not a path: %s", quoteShort(name))
	case len(name) > maxFilenameLength:
		return File{}, Invalid(field+".filename", "longer than %d bytes", maxFilenameLength)
	}
	ct := strings.TrimSpace(a.ContentType)
	if ct == "" {
		ct = mime.TypeByExtension(strings.ToLower(filepath.Ext(name)))
		if ct == "" {
			ct = "application/octet-stream"
		}
	} else {
		if hasControl(ct) {
			return File{}, Invalid(field+".contentType", "contains a line break or control character")
		}
		if err := tooLong(field+".contentType", "the content type", ct, maxContentTypeLength); err != nil {
			return File{}, err
		}
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil || !strings.Contains(mt, "/") || strings.HasPrefix(mt, "multipart/") {
			return File{}, Invalid(field+".contentType", "%s is not a media type like application/pdf", quoteShort(ct))
		}
		ct = mime.FormatMediaType(mt, params)
	}
	if a.Content == "" {
		return File{}, Invalid(field+".content", "missing required field: the file's bytes in base64")
	}
	data, err := decodeBase64(a.Content)
	if err != nil {
		return File{}, Invalid(field+".content", "is not valid base64: %s", err)
	}
	return File{Name: name, ContentType: ct, Data: data}, nil
}

// decodeBase64 accepts standard base64 with or without padding and with
// line breaks, as encoders commonly write it.
func decodeBase64(s string) ([]byte, error) {
	if strings.ContainsAny(s, "\r\n") {
		s = strings.NewReplacer("\r", "", "\n", "").Replace(s)
	}
	enc := base64.StdEncoding
	if len(s)%4 != 0 {
		enc = base64.RawStdEncoding
	}
	return enc.DecodeString(s)
}

func itoa(i int) string { return strconv.Itoa(i) }
