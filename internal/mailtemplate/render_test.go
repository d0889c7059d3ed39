package mailtemplate

import (
	"encoding/json"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/gmailsend/gmailsend"
)

func mustParse(tb testing.TB, src Source) *Parsed {
	tb.Helper()
	p, err := Parse(src)
	if err != nil {
		tb.Fatalf("Parse: %v", err)
	}
	return p
}

func vars(tb testing.TB, js string) map[string]any {
	tb.Helper()
	v, err := DecodeVariables(json.RawMessage(js))
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// findElement returns the first element named tag in the parsed document.
func findElement(n *html.Node, tag string) *html.Node {
	if n.Type == html.ElementNode && n.Data == tag {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := findElement(c, tag); f != nil {
			return f
		}
	}
	return nil
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func countElements(n *html.Node, tag string) int {
	c := 0
	if n.Type == html.ElementNode && n.Data == tag {
		c++
	}
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		c += countElements(ch, tag)
	}
	return c
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// TestHostileVariablesStayValues ensures each hostile value arrives, as an
// HTML parser reads the output, exactly as the value it was, in the place
// the template put it: no element, attribute or script URL of its own.
func TestHostileVariablesStayValues(t *testing.T) {
	p := mustParse(t, Source{
		Subject: "예약 확인: {{.name}}님",
		HTML:    `<p id="greet">{{.name}}님, {{.time}}</p><a id="link" href="{{.url}}" title="{{.title}}">열기</a>`,
	})
	name := `<script>alert(1)</script>홍길동 😀`
	title := `" onmouseover="alert(1)`
	r, err := p.Render(map[string]any{"name": name, "time": "10:00 <b>", "url": "javascript:alert(1)", "title": title})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(strings.NewReader(r.HTML))
	if err != nil {
		t.Fatal(err)
	}
	if n := countElements(doc, "script") + countElements(doc, "b"); n != 0 {
		t.Errorf("a variable became %d element(s):\n%s", n, r.HTML)
	}
	greet := findElement(doc, "p")
	if got, want := textOf(greet), name+"님, 10:00 <b>"; got != want {
		t.Errorf("text = %q, want %q", got, want)
	}
	a := findElement(doc, "a")
	if got := attr(a, "title"); got != title {
		t.Errorf("title attribute = %q, want the value %q", got, title)
	}
	if attr(a, "onmouseover") != "" || len(a.Attr) != 3 {
		t.Errorf("a variable added attributes: %v", a.Attr)
	}
	if href := attr(a, "href"); strings.HasPrefix(strings.ToLower(strings.TrimSpace(href)), "javascript:") {
		t.Errorf("href = %q: a javascript: URL survived", href)
	}
	if r.Subject != "예약 확인: "+name+"님" {
		t.Errorf("subject = %q (header text: not HTML-escaped)", r.Subject)
	}
}

// TestSafeURLKept ensures an ordinary https URL from a variable is kept
// (escaping must not break honest links).
func TestSafeURLKept(t *testing.T) {
	p := mustParse(t, Source{HTML: `<a href="{{.url}}">x</a>`})
	r, err := p.Render(map[string]any{"url": "https://example.com/track?id=1&x=한"})
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := html.Parse(strings.NewReader(r.HTML))
	if got := attr(findElement(doc, "a"), "href"); !strings.HasPrefix(got, "https://example.com/track?id=1&x=") {
		t.Errorf("href = %q", got)
	}
}

// TestSubjectLineBreakRefused ensures a CR/LF a variable brings into the
// subject is refused, naming the variable.
func TestSubjectLineBreakRefused(t *testing.T) {
	p := mustParse(t, Source{Subject: "안내: {{.name}}", HTML: "<p>{{.name}}</p>"})
	for _, v := range []string{"a\r\nBcc: x@example.com", "a\nb", "a\rb"} {
		_, err := p.Render(map[string]any{"name": v})
		e := gmailsend.AsError(err)
		if err == nil || e.Code != gmailsend.CodeInvalidRequest || e.Field != "variables.name" {
			t.Errorf("%q: err = %v, want invalid_request on variables.name", v, err)
		}
	}
	// In the HTML only, a line break is harmless text.
	p = mustParse(t, Source{Subject: "안내", HTML: "<p>{{.name}}</p>"})
	if _, err := p.Render(map[string]any{"name": "a\r\nb"}); err != nil {
		t.Errorf("line break in HTML: %v", err)
	}
}

// TestMissingVariableNamed ensures a variable the template uses and the
// request lacks is invalid_request naming it, in every part.
func TestMissingVariableNamed(t *testing.T) {
	cases := []struct {
		src   Source
		field string
	}{
		{Source{Subject: "{{.name}}", HTML: "<p>x</p>"}, "variables.name"},
		{Source{HTML: "<p>{{.time}}</p>"}, "variables.time"},
		{Source{HTML: "<p>{{.customer.name}}</p>"}, "variables.customer.name"},
		{Source{HTML: "<p>x</p>", Text: "{{.code}}"}, "variables.code"},
	}
	for _, c := range cases {
		p := mustParse(t, c.src)
		_, err := p.Render(vars(t, `{"customer": {}}`))
		e := gmailsend.AsError(err)
		if err == nil || e.Code != gmailsend.CodeInvalidRequest || e.Field != c.field {
			t.Errorf("%+v: err = %v, want invalid_request on %s", c.src, err, c.field)
			continue
		}
		last := c.field[strings.LastIndex(c.field, ".")+1:]
		if !strings.Contains(e.Message, `"`+last+`"`) {
			t.Errorf("message %q does not name %q", e.Message, last)
		}
	}
}

// TestSyntaxErrorPosition ensures a parse error is invalid_request naming
// the part, the line and the column of the faulty action.
func TestSyntaxErrorPosition(t *testing.T) {
	cases := []struct {
		src         Source
		field, want string
	}{
		{Source{HTML: "<p>ok</p>\n<p>안녕 {{.name}</p>"}, "html", "line 2, column 7"},
		{Source{HTML: "<p>{{.a}} {{nosuchfunc .b}}</p>"}, "html", "line 1, column 11"},
		{Source{HTML: "<p>{{if .a}}x</p>"}, "html", "line 1"},
		{Source{Subject: "x {{.a", HTML: "<p></p>"}, "subject", "line 1, column 3"},
		{Source{HTML: "<p>x</p>", Text: "a\nb\n  {{end}}"}, "text", "line 3, column 3"},
		// html/template's own context error, found at PUT.
		{Source{HTML: `<a href="{{.u}}`}, "html", "line 1"},
	}
	for _, c := range cases {
		_, err := Parse(c.src)
		e := gmailsend.AsError(err)
		if err == nil || e.Code != gmailsend.CodeInvalidRequest || e.Field != c.field || !strings.Contains(e.Message, c.want) {
			t.Errorf("%+v: err = %v, want invalid_request on %s with %q", c.src, err, c.field, c.want)
		}
	}
}

// TestSourceLimits ensures the size bound and the name rule hold.
func TestSourceLimits(t *testing.T) {
	_, err := Parse(Source{HTML: strings.Repeat("x", MaxSourceBytes+1)})
	if gmailsend.CodeOf(err) != gmailsend.CodePayloadTooLarge {
		t.Errorf("oversized: %v", err)
	}
	if err := CheckName("name", "booking-v2.ko"); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"", "a/b", "a#b", "예약", ".x", strings.Repeat("a", MaxNameLength+1)} {
		if CheckName("name", bad) == nil {
			t.Errorf("name %q accepted", bad)
		}
	}
	if _, err := DecodeVariables(json.RawMessage(`[1]`)); err == nil {
		t.Error("variables as an array accepted")
	}
}

// TestNumbersKeepDigits ensures a number variable renders as written.
func TestNumbersKeepDigits(t *testing.T) {
	p := mustParse(t, Source{HTML: "<p>{{.amount}}</p>"})
	r, err := p.Render(vars(t, `{"amount": 1000000}`))
	if err != nil || r.HTML != "<p>1000000</p>" {
		t.Errorf("got %+v, %v", r, err)
	}
}
