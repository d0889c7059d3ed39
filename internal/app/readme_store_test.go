package app_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/lambdahandler"
)

// TestAPIDocDocumentsEveryRouteAndStatus ensures docs/api.md's routes table has exactly one row per route of the handler's route table, saying "no" API key exactly for the public routes, and that every record status is named in docs/api.md.
func TestAPIDocDocumentsEveryRouteAndStatus(t *testing.T) {
	doc := readDoc(t, "docs/api.md")
	rows := map[string]string{}
	for _, m := range regexp.MustCompile("(?m)^\\| `([A-Z]+ /[^`]*)` \\| (yes|no) \\|").FindAllStringSubmatch(doc, -1) {
		if _, dup := rows[m[1]]; dup {
			t.Errorf("docs/api.md's routes table lists `%s` twice", m[1])
		}
		rows[m[1]] = m[2]
	}
	routes := lambdahandler.Routes()
	if len(rows) != len(routes) {
		t.Errorf("docs/api.md's routes table has %d routes, the handler %d", len(rows), len(routes))
	}
	for _, r := range routes {
		key, ok := rows[r]
		if !ok {
			t.Errorf("docs/api.md's routes table lacks the route `%s`", r)
			continue
		}
		want := "yes"
		if slices.Contains(lambdahandler.PublicRoutes(), r) {
			want = "no"
		}
		if key != want {
			t.Errorf("docs/api.md says `%s` needs an API key: %s, want %s", r, key, want)
		}
	}
	for _, s := range gmailsend.Statuses() {
		if !strings.Contains(doc, "`"+string(s)+"`") {
			t.Errorf("docs/api.md does not document the status `%s`", s)
		}
	}
}
