package app_test

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/app"
)

// templateEnv is every environment variable template.yaml sets on either
// function, with its (expanded) value.
func templateEnv(t *testing.T) map[string]any {
	t.Helper()
	out := map[string]any{}
	res := loadTemplate(t)["Resources"].(map[string]any)
	for _, fn := range []string{"GmailSendFunction", "BounceFunction", "EventsFunction"} {
		vars := res[fn].(map[string]any)["Properties"].(map[string]any)["Environment"].(map[string]any)["Variables"].(map[string]any)
		for k, v := range vars {
			if prev, ok := out[k]; ok && fmt.Sprint(prev) != fmt.Sprint(v) {
				t.Errorf("%s is %v on one function and %v on the other", k, prev, v)
			}
			out[k] = v
		}
	}
	return out
}

// TestConfigurationSetByIsTheTemplate ensures docs/configuration.md's "set by" column is what template.yaml does: a named parameter is the variable's !Ref (and its default parses to the code's default), "the stack" names the resource the value comes from, "fixed" is the literal value, "—" is a variable the template leaves unset; and every variable the template sets is a row.
func TestConfigurationSetByIsTheTemplate(t *testing.T) {
	env := templateEnv(t)
	params := loadTemplate(t)["Parameters"].(map[string]any)
	rows := regexp.MustCompile("(?m)^\\| `([A-Z_]+)` \\| [^|]* \\| ([^|]*) \\|").FindAllStringSubmatch(readDoc(t, "docs/configuration.md"), -1)
	if len(rows) != len(app.EnvNames()) {
		t.Fatalf("docs/configuration.md's table has %d rows with a set-by column, ParseEnv reads %d variables", len(rows), len(app.EnvNames()))
	}
	documented := map[string]bool{}
	for _, r := range rows {
		name, setBy := r[1], strings.TrimSpace(r[2])
		documented[name] = true
		v, set := env[name]
		named := regexp.MustCompile("`([^`]+)`").FindStringSubmatch(setBy)
		switch {
		case setBy == "—":
			if set {
				t.Errorf("%s: docs/configuration.md says the template leaves it unset; template.yaml sets %v", name, v)
			}
		case strings.HasPrefix(setBy, "the stack: "):
			if named == nil || !set || !strings.Contains(fmt.Sprint(v), named[1]) {
				t.Errorf("%s: docs/configuration.md says the stack's %v sets it; template.yaml has %v", name, named, v)
			}
			if named != nil && params[named[1]] != nil {
				t.Errorf("%s: %s is a parameter, not a resource", name, named[1])
			}
		case strings.HasPrefix(setBy, "fixed: empty"):
			if !set || fmt.Sprint(v) != "" {
				t.Errorf("%s: docs/configuration.md says fixed empty; template.yaml has %v (set: %v)", name, v, set)
			}
		case strings.HasPrefix(setBy, "fixed: "):
			if named == nil || fmt.Sprint(v) != named[1] {
				t.Errorf("%s: docs/configuration.md says fixed at %v; template.yaml has %v", name, named, v)
			}
		default:
			if named == nil || named[0] != setBy || params[named[1]] == nil {
				t.Errorf("%s: set by %q, which is not a template parameter", name, setBy)
				continue
			}
			if want := fmt.Sprint(map[string]any{"Ref": named[1]}); fmt.Sprint(v) != want {
				t.Errorf("%s: docs/configuration.md says parameter %s sets it; template.yaml has %v", name, named[1], v)
			}
			def := fmt.Sprint(params[named[1]].(map[string]any)["Default"])
			got, err := app.ParseEnv(func(k string) (string, bool) { return def, k == name })
			if err != nil || !reflect.DeepEqual(got, app.Defaults()) {
				t.Errorf("%s: parameter %s's default %q is not the function's default (%v)", name, named[1], def, err)
			}
		}
	}
	var extra []string
	for k := range env {
		if !documented[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	if len(extra) > 0 {
		t.Errorf("template.yaml sets variables docs/configuration.md's table lacks: %v", extra)
	}
}

// TestEveryParameterIsDocumented ensures each template parameter is named in README.md or a page of docs/, so no setting of the stack is found only by reading template.yaml.
func TestEveryParameterIsDocumented(t *testing.T) {
	doc := fixture.EnglishDocs(t)
	for name := range loadTemplate(t)["Parameters"].(map[string]any) {
		if !strings.Contains(doc, "`"+name+"`") {
			t.Errorf("no page of the docs names the parameter %s", name)
		}
	}
}
