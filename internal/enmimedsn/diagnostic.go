package enmimedsn

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gmailsend/gmailsend/internal/bounce"
)

// redacted replaces every address in a diagnostic: a remote server's reply
// often quotes the recipient ("550 5.1.1 <gone@example.net>: Recipient
// address rejected"), and records keep no addresses beyond the one field
// that needs it.
const redacted = "<address>"

// cleanDiagnostic makes a Diagnostic-Code safe to keep: one line of
// printable text, addresses replaced, at most bounce.MaxDiagnostic bytes. The
// remote server wrote it, so it is treated as hostile text.
func cleanDiagnostic(v string) string {
	if len(v) > 4*bounce.MaxDiagnostic {
		v = v[:4*bounce.MaxDiagnostic] // the rest would be cut anyway
	}
	v = strings.ToValidUTF8(v, "")
	fields := strings.FieldsFunc(v, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) })
	for i, f := range fields {
		if strings.Contains(f, "@") {
			fields[i] = redactWord(f)
		}
	}
	out := strings.Join(fields, " ")
	if len(out) > bounce.MaxDiagnostic {
		cut := bounce.MaxDiagnostic
		for cut > 0 && !utf8.RuneStart(out[cut]) {
			cut--
		}
		out = out[:cut]
	}
	return out
}

// redactWord replaces the address in a word, keeping the punctuation
// around it ("<a@b>:" → "<address>:").
func redactWord(w string) string {
	start := strings.IndexFunc(w, isAddressRune)
	end := strings.LastIndexFunc(w, isAddressRune)
	if start < 0 {
		return redacted
	}
	_, size := utf8.DecodeRuneInString(w[end:])
	prefix, suffix := strings.TrimSuffix(w[:start], "<"), strings.TrimPrefix(w[end+size:], ">")
	return prefix + redacted + suffix
}

func isAddressRune(r rune) bool {
	return r == '@' || r == '.' || r == '-' || r == '_' || r == '+' || r == '=' || unicode.IsLetter(r) || unicode.IsDigit(r)
}
