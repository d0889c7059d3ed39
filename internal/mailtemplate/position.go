package mailtemplate

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	texttemplate "text/template"
	"unicode/utf8"

	"github.com/gmailsend/gmailsend"
)

// errorPlace reads "template: html:3: …" (text/template's parser, line
// only) and "html/template:html:3:14: …" (html/template, with a column
// when it knows the node).
var errorPlace = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(?:html/)?template: ?[^:]*:(\d+):(?:(\d+):)? ?(.*)$`)
})

// syntaxError is invalid_request naming the part, the line and the column
// of a parse error in src.
func syntaxError(part, src string, err error) error {
	msg := err.Error()
	m := errorPlace().FindStringSubmatch(msg)
	if m == nil {
		if desc, ok := strings.CutPrefix(msg, "html/template:"+part+": "); ok {
			// html/template names no place when the body ends inside a
			// tag, attribute or comment: the place is the end.
			desc, _, _ = strings.Cut(desc, ": {") // its internal state
			lines := strings.Split(src, "\n")
			last := lines[len(lines)-1]
			return gmailsend.Invalid(part, "template syntax error at line %d, column %d: %s (an unclosed tag, quote or comment)",
				len(lines), columnOf(last, len(last)), desc)
		}
		return gmailsend.Invalid(part, "template syntax error: %s", msg)
	}
	line, _ := strconv.Atoi(m[1])
	col, _ := strconv.Atoi(m[2])
	if col == 0 {
		// Go's parser reports the line only; find the action at fault on it.
		col = guessColumn(lineOf(src, line), m[3])
	}
	return gmailsend.Invalid(part, "template syntax error at line %d, column %d: %s", line, col, m[3])
}

// lineOf is line n (1-based) of src without its end.
func lineOf(src string, n int) string {
	lines := strings.Split(src, "\n")
	if n < 1 || n > len(lines) {
		return ""
	}
	return strings.TrimSuffix(lines[n-1], "\r")
}

// columnOf is the 1-based column, in characters, of byte i of line.
func columnOf(line string, i int) int { return utf8.RuneCountInString(line[:i]) + 1 }

// guessColumn finds the column of the fault Go's parser described with
// msg on line: the first action that does not parse on its own, else the
// keyword or action the message names, else the first action.
func guessColumn(line, msg string) int {
	first := -1
	for i := 0; ; {
		j := strings.Index(line[i:], "{{")
		if j < 0 {
			break
		}
		start := i + j
		if first < 0 {
			first = start
		}
		end := strings.Index(line[start:], "}}")
		if end < 0 {
			return columnOf(line, start) // unclosed on this line
		}
		action := line[start : start+end+2]
		if !standaloneParses(action) {
			return columnOf(line, start)
		}
		i = start + end + 2
	}
	for _, kw := range []string{"{{end", "{{else", "{{- end", "{{- else"} {
		if strings.Contains(msg, strings.TrimPrefix(kw, "{{- ")) || strings.Contains(msg, kw) {
			if k := strings.Index(line, kw); k >= 0 {
				return columnOf(line, k)
			}
		}
	}
	if first >= 0 {
		return columnOf(line, first)
	}
	return 1
}

// standaloneParses reports whether one action parses by itself; an
// action that opens or closes a block is taken as parsing (its partner is
// elsewhere).
func standaloneParses(action string) bool {
	inner := strings.TrimSpace(strings.Trim(strings.TrimSuffix(strings.TrimPrefix(action, "{{"), "}}"), "- "))
	word, _, _ := strings.Cut(inner, " ")
	switch word {
	case "if", "range", "with", "block", "define", "else", "end", "break", "continue":
		return true
	}
	_, err := texttemplate.New("").Funcs(texttemplate.FuncMap{}).Parse(action)
	return err == nil
}
