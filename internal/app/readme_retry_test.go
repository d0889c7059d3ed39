package app_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend/internal/email"
	"github.com/gmailsend/gmailsend/internal/lambdahandler"
)

// TestREADMERetryColumnMatchesRetryable ensures README's "retry helps" column says for each code exactly what Code.Retryable() says.
func TestREADMERetryColumnMatchesRetryable(t *testing.T) {
	doc := readme(t)
	if !strings.Contains(doc, "| code | HTTP | retry helps | when |") {
		t.Fatal(`README's code table lost its "retry helps" column`)
	}
	for _, c := range email.Codes() {
		answer := "no"
		if c.Retryable() {
			answer = "yes"
		}
		row := fmt.Sprintf("| `%s` | %d | %s |", c, lambdahandler.HTTPStatus(c), answer)
		if !strings.Contains(doc, row) {
			t.Errorf("README lacks the row %q", row)
		}
	}
}
