package gmailsend

import (
	"fmt"
	"net/mail"
	"strings"
)

// Address is a validated mailbox: an ASCII address and an optional display
// name free of control characters.
type Address struct {
	Name  string
	Email string
}

// maxAddressLength is RFC 5321's limit on a forward path.
const maxAddressLength = 254

// splitAddressList splits a comma-separated list, keeping commas inside
// quoted display names ("Hong, Gildong" <g@example.com>) and skipping empty
// entries left by a trailing comma.
func splitAddressList(s string) AddressList {
	var out AddressList
	var cur strings.Builder
	flush := func() {
		// Only blanks are trimmed: a line break must reach validation and
		// be refused, not be quietly removed.
		if t := strings.Trim(cur.String(), " \t"); t != "" {
			out = append(out, t)
		}
		cur.Reset()
	}
	scanQuoted(s, func(r rune, quoted bool) bool {
		if !quoted && (r == ',' || r == ';') {
			flush()
		} else {
			cur.WriteRune(r)
		}
		return true
	})
	flush()
	return out
}

// scanQuoted calls visit with each rune of s and whether it is inside a
// double-quoted string (where a backslash escapes the next rune), until
// visit returns false.
func scanQuoted(s string, visit func(r rune, quoted bool) bool) {
	inQuote, escaped := false, false
	for _, r := range s {
		quoted := inQuote || r == '"'
		switch {
		case escaped:
			escaped = false
		case r == '\\' && inQuote:
			escaped = true
		case r == '"':
			inQuote = !inQuote
		}
		if !visit(r, quoted) {
			return
		}
	}
}

// ParseAddress validates one entry of an address field. It accepts
// "user@example.com", "Name <user@example.com>" and "\"Name\" <user@example.com>",
// and refuses what would either break a header or surprise the caller:
// line breaks and control characters, comments, quoted local parts,
// domain literals, and non-ASCII addresses (IDN domains must be written in
// punycode, which also makes look-alike domains visible).
func ParseAddress(field, raw string) (Address, error) {
	if hasControl(raw) {
		return Address{}, Invalid(field, "address %s contains a line break or control character", quoteShort(raw))
	}
	if outsideQuotes(raw, '(') {
		return Address{}, Invalid(field, "address %s contains a comment in parentheses; write Name <user@example.com>", quoteShort(raw))
	}
	a, err := mail.ParseAddress(raw)
	if err != nil {
		return Address{}, Invalid(field, "%s is not a valid email address", quoteShort(raw))
	}
	if hasControl(a.Name) {
		// An RFC 2047 encoded name can decode to CR LF; refuse it rather
		// than trust every later encoder.
		return Address{}, Invalid(field, "display name of %s contains a line break or control character", quoteShort(a.Address))
	}
	if err := checkMailbox(a.Address); err != nil {
		return Address{}, Invalid(field, "%s is not a valid email address: %s", quoteShort(a.Address), err)
	}
	return Address{Name: strings.TrimSpace(a.Name), Email: a.Address}, nil
}

// checkMailbox accepts a dot-atom local part and a host name of at least two
// labels, all in ASCII.
func checkMailbox(addr string) error {
	if len(addr) > maxAddressLength {
		return fmt.Errorf("longer than %d characters", maxAddressLength)
	}
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 {
		return fmt.Errorf("missing local part or @")
	}
	local, domain := addr[:at], addr[at+1:]
	for i := 0; i < len(addr); i++ {
		if addr[i] >= 0x80 {
			return fmt.Errorf("non-ASCII characters; write international domains in punycode (xn--…)")
		}
	}
	if len(local) > 64 {
		return fmt.Errorf("local part longer than 64 characters")
	}
	if strings.HasPrefix(local, "\"") || !isDotAtom(local) {
		return fmt.Errorf("quoted or unusual local part %q is not supported", local)
	}
	return checkDomain(domain)
}

func isDotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0 {
			continue
		}
		return false
	}
	return true
}

func checkDomain(d string) error {
	if strings.HasPrefix(d, "[") {
		return fmt.Errorf("address literals are not supported")
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return fmt.Errorf("domain %q has no dot", d)
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return fmt.Errorf("domain %q is not a valid host name", d)
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
				return fmt.Errorf("domain %q is not a valid host name", d)
			}
		}
	}
	return nil
}

// outsideQuotes reports whether c occurs outside double-quoted strings.
func outsideQuotes(s string, c rune) bool {
	found := false
	scanQuoted(s, func(r rune, quoted bool) bool {
		found = !quoted && r == c
		return !found
	})
	return found
}

// hasControl reports C0 controls (CR and LF among them), DEL, and the
// Unicode line and paragraph separators, none of which belong in a header.
func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 && r != '\t' || r == 0x7f || r == '\u2028' || r == '\u2029' || r == '\u0085' {
			return true
		}
	}
	return false
}

// quoteShort quotes s for an error message, shortened so a hostile input
// cannot make the error itself huge.
func quoteShort(s string) string {
	const max = 80
	if len(s) > max {
		cut := max
		for cut > 0 && (s[cut]&0xC0) == 0x80 {
			cut--
		}
		s = s[:cut] + "…"
	}
	return fmt.Sprintf("%q", s)
}
