package gomailmime

import "testing"

// TestPlainText ensures the derived text keeps words, paragraphs, list items and links.
func TestPlainText(t *testing.T) {
	cases := map[string]string{
		"<p>Hello<b> world</b></p><p>Second</p>":   "Hello world\n\nSecond",
		"<ul><li>one</li><li>two</li></ul>":        "- one\n- two",
		"<style>p{}</style><script>x()</script>hi": "hi",
		"a<br>b &amp; c":                           "a\nb & c",
		`<a href="https://x.io">site</a>`:          "site (https://x.io)",
		"<p>안녕  \n 하세요</p>":                        "안녕 하세요",
	}
	for in, want := range cases {
		if got := PlainText(in); got != want {
			t.Errorf("PlainText(%q) = %q, want %q", in, got, want)
		}
	}
}
