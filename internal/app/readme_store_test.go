package app_test

import (
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend/internal/lambdahandler"
	"github.com/gmailsend/gmailsend/internal/store"
)

// TestREADMEDocumentsEveryRouteAndStatus ensures every API route of the handler's route table and every record status is named in README.
func TestREADMEDocumentsEveryRouteAndStatus(t *testing.T) {
	doc := readme(t)
	for _, r := range lambdahandler.Routes() {
		if !strings.Contains(doc, "`"+r+"`") {
			t.Errorf("README does not name the route `%s`", r)
		}
	}
	for _, s := range store.Statuses() {
		if !strings.Contains(doc, "`"+string(s)+"`") {
			t.Errorf("README does not document the status `%s`", s)
		}
	}
}
