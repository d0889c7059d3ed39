package app_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend/dev/fixture"
)

// readmeMaxLines keeps README.md what a newcomer reads first: what
// gmailsend is, the two commands, a short local tour and a map of docs/.
// Anything longer belongs in a page of docs/.
const readmeMaxLines = 250

var (
	fence      = regexp.MustCompile("(?ms)^```.*?^```[^\\n]*$")
	codeSpan   = regexp.MustCompile("`[^`\\n]*`")
	mdLink     = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	withScheme = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)
	nonWord    = regexp.MustCompile(`[^\p{L}\p{M}\p{N}\p{Pc}\- ]`)
)

// headingAnchors are the anchors GitHub gives the headings of a Markdown
// page: lower-cased, punctuation other than - and _ dropped, spaces made
// hyphens, and a repeated anchor suffixed -1, -2, ….
func headingAnchors(page string) map[string]bool {
	out := map[string]bool{}
	for _, line := range strings.Split(fence.ReplaceAllString(page, ""), "\n") {
		text, ok := strings.CutPrefix(strings.TrimLeft(line, "#"), " ")
		if !ok || !strings.HasPrefix(line, "#") || len(line)-len(strings.TrimLeft(line, "#")) > 6 {
			continue
		}
		a := strings.ReplaceAll(nonWord.ReplaceAllString(strings.ToLower(strings.TrimSpace(text)), ""), " ", "-")
		for n, try := 1, a; ; n, try = n+1, fmt.Sprintf("%s-%d", a, n) {
			if !out[try] {
				out[try] = true
				break
			}
		}
	}
	return out
}

// brokenLinks checks every relative link of the page at rel (a slash path
// from root) outside code: its file must exist, and an #anchor must be a
// heading of the Markdown page it names. It returns what is wrong and how
// many links it checked.
func brokenLinks(root, rel string, read func(rel string) (string, error)) (problems []string, checked int) {
	page, err := read(rel)
	if err != nil {
		return []string{err.Error()}, 0
	}
	text := codeSpan.ReplaceAllString(fence.ReplaceAllString(page, ""), "")
	for _, m := range mdLink.FindAllStringSubmatch(text, -1) {
		target := m[1]
		if withScheme.MatchString(target) {
			continue
		}
		checked++
		file, anchor, _ := strings.Cut(target, "#")
		dest := rel
		if file != "" {
			dest = path.Join(path.Dir(rel), file)
			if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(dest))); err != nil {
				problems = append(problems, fmt.Sprintf("%s: %s: no such file %s", rel, target, dest))
				continue
			}
		}
		if anchor == "" {
			continue
		}
		if !strings.HasSuffix(dest, ".md") {
			problems = append(problems, fmt.Sprintf("%s: %s: an anchor into %s, which is not Markdown", rel, target, dest))
			continue
		}
		destPage, err := read(dest)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %s: %v", rel, target, err))
			continue
		}
		if !headingAnchors(destPage)[anchor] {
			problems = append(problems, fmt.Sprintf("%s: %s: %s has no heading #%s", rel, target, dest, anchor))
		}
	}
	return problems, checked
}

// TestDocLinksResolve ensures every relative link in README.md and docs/*.md (outside code) names an existing file, and every #anchor an existing heading of that page.
func TestDocLinksResolve(t *testing.T) {
	root := fixture.ModuleRoot(t)
	read := func(rel string) (string, error) {
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
		return string(b), err
	}
	total := 0
	for _, p := range fixture.DocPages(t) {
		problems, n := brokenLinks(root, p, read)
		total += n
		for _, pr := range problems {
			t.Error(pr)
		}
	}
	if total < 100 {
		t.Errorf("checked only %d relative links: is the link pattern still right?", total)
	}
}

// TestBrokenLinksAreFound ensures the link check reports a missing file, a missing heading and an anchor into a non-Markdown file, and accepts GitHub's anchors for punctuated, repeated and code-quoted headings.
func TestBrokenLinksAreFound(t *testing.T) {
	root := fixture.ModuleRoot(t)
	pages := map[string]string{
		"docs/a.md": "# A\n\n## Gmail: app password or OAuth\n\n## Cost of 1,000 sends\n\n## `make run` in detail\n\n## Notes\n\n## Notes\n\n" +
			"[ok](#gmail-app-password-or-oauth) [ok](#cost-of-1000-sends) [ok](#make-run-in-detail) [ok](#notes-1) [ok](../go.mod)\n" +
			"[ok](README.ko.md#gmailsend-빠른-시작-한국어) `[in code](#nowhere)`\n```\n[in a block](#nowhere)\n```\n" +
			"[bad](#no-such-heading) [bad](missing.md) [bad](../go.mod#module) [bad](#notes-2)\n",
	}
	read := func(rel string) (string, error) {
		if p, ok := pages[rel]; ok {
			return p, nil
		}
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
		return string(b), err
	}
	problems, n := brokenLinks(root, "docs/a.md", read)
	if n != 10 {
		t.Errorf("checked %d links, want 10 (none in code)", n)
	}
	want := []string{"#no-such-heading", "missing.md", "../go.mod#module", "#notes-2"}
	if len(problems) != len(want) {
		t.Fatalf("problems:\n%s\nwant one for each of %v", strings.Join(problems, "\n"), want)
	}
	for i, w := range want {
		if !strings.Contains(problems[i], ": "+w+": ") {
			t.Errorf("problem %d is %q, want one about %s", i, problems[i], w)
		}
	}
}

// TestREADMEStaysShort ensures README.md stays under readmeMaxLines lines, with the two commands and a link to every page of docs/.
func TestREADMEStaysShort(t *testing.T) {
	readme := readDoc(t, "README.md")
	if n := strings.Count(readme, "\n"); n >= readmeMaxLines {
		t.Errorf("README.md has %d lines; keep it under %d and move the rest to docs/", n, readmeMaxLines)
	}
	for _, c := range []string{"make run     #", "make test    #"} {
		if !strings.Contains(readme, "\n"+c) {
			t.Errorf("README.md lacks the command line %q", c)
		}
	}
	for _, p := range fixture.DocPages(t)[1:] {
		if !strings.Contains(readme, "]("+p+")") {
			t.Errorf("README.md's map of the docs does not link %s", p)
		}
	}
}

// TestREADMERequestIsTheSample ensures the six-field request README.md shows is events/direct.json, field for field (docs/api.md shows the file verbatim and sends it).
func TestREADMERequestIsTheSample(t *testing.T) {
	block := regexp.MustCompile("(?s)```json\n(.*?)```").FindStringSubmatch(readDoc(t, "README.md"))
	if block == nil {
		t.Fatal("README.md shows no JSON request")
	}
	var shown, sample map[string]any
	if err := json.Unmarshal([]byte(block[1]), &shown); err != nil {
		t.Fatalf("README.md's request: %v", err)
	}
	if err := json.Unmarshal([]byte(readDoc(t, "events/direct.json")), &sample); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(shown, sample) {
		t.Errorf("README.md shows\n  %v\nevents/direct.json is\n  %v", shown, sample)
	}
}
