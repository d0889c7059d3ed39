package gomailmime

import (
	"encoding/base64"
	"strings"
	"unicode/utf8"
)

// forceEncodedWords returns s as RFC 2047 B-encoded words when s contains
// text a reader would take for an encoded word ("=?utf-8?q?…?="). gomail
// leaves ASCII text as it is, so such a subject would reach the recipient
// decoded into something the caller never wrote.
func forceEncodedWords(s string) string {
	if !strings.Contains(s, "=?") {
		return s
	}
	// 45 bytes of UTF-8 make a 60-character word, under RFC 2047's 75.
	const chunk = 45
	var words []string
	for len(s) > 0 {
		n := len(s)
		if n > chunk {
			n = chunk
			for n > 0 && !utf8.RuneStart(s[n]) {
				n--
			}
		}
		words = append(words, "=?UTF-8?b?"+base64.StdEncoding.EncodeToString([]byte(s[:n]))+"?=")
		s = s[n:]
	}
	return strings.Join(words, " ")
}
