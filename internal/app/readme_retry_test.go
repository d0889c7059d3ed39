package app_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/lambdahandler"
)

// TestRetryColumnMatchesRetryable ensures docs/api.md's "retry helps" column says for each code exactly what Code.Retryable() says.
func TestRetryColumnMatchesRetryable(t *testing.T) {
	doc := readDoc(t, "docs/api.md")
	if !strings.Contains(doc, "| code | HTTP | retry helps | when |") {
		t.Fatal(`docs/api.md's code table lost its "retry helps" column`)
	}
	for _, c := range gmailsend.Codes() {
		answer := "no"
		if c.Retryable() {
			answer = "yes"
		}
		row := fmt.Sprintf("| `%s` | %d | %s |", c, lambdahandler.HTTPStatus(c), answer)
		if !strings.Contains(doc, row) {
			t.Errorf("docs/api.md lacks the row %q", row)
		}
	}
}
