package gomailmime

import (
	"strings"

	"golang.org/x/net/html"
)

// PlainText derives a readable plain-text alternative from an HTML body:
// block elements become line breaks, list items get a dash, links keep
// their target, and script, style and head content is dropped. It is meant
// for mail clients that show only text, not as a faithful rendering.
func PlainText(h string) string {
	z := html.NewTokenizer(strings.NewReader(h))
	var b strings.Builder
	skip := 0 // depth inside script/style/head
	var href string
	for {
		switch z.Next() {
		case html.ErrorToken:
			return tidy(b.String())
		case html.TextToken:
			if skip == 0 {
				b.WriteString(collapseSpace(string(z.Text())))
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			tag := string(name)
			switch tag {
			case "script", "style", "head", "title":
				skip++
			case "br":
				b.WriteString("\n")
			case "li":
				b.WriteString("\n- ")
			case "a":
				href = ""
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					if string(k) == "href" {
						href = string(v)
					}
				}
			default:
				if blockTags[tag] {
					b.WriteString("\n\n")
				}
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			tag := string(name)
			switch tag {
			case "script", "style", "head", "title":
				if skip > 0 {
					skip--
				}
			case "a":
				if href != "" && !strings.HasPrefix(href, "#") && !strings.HasPrefix(href, "javascript:") {
					b.WriteString(" (" + href + ")")
				}
				href = ""
			default:
				if blockTags[tag] {
					b.WriteString("\n\n")
				}
			}
		}
	}
}

var blockTags = map[string]bool{
	"p": true, "div": true, "h1": true, "h2": true, "h3": true, "h4": true,
	"h5": true, "h6": true, "ul": true, "ol": true, "table": true, "tr": true,
	"blockquote": true, "pre": true, "hr": true, "section": true, "article": true,
	"header": true, "footer": true,
}

// collapseSpace folds runs of white space to one space, as a browser does,
// keeping one space at either end so "Hello<b> world</b>" stays two words.
func collapseSpace(s string) string {
	words := strings.FieldsFunc(s, isSpace)
	if len(words) == 0 {
		if s != "" {
			return " "
		}
		return ""
	}
	out := strings.Join(words, " ")
	if isSpace(rune(s[0])) {
		out = " " + out
	}
	if isSpace(rune(s[len(s)-1])) {
		out += " "
	}
	return out
}

func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' }

// tidy trims each line and keeps at most one blank line between paragraphs.
func tidy(s string) string {
	lines := strings.Split(s, "\n")
	out := make([]string, 0, len(lines))
	blank := true
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" {
			if !blank {
				out = append(out, "")
			}
			blank = true
			continue
		}
		out = append(out, l)
		blank = false
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}
