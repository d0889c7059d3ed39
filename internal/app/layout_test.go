package app_test

import (
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend/dev/fixture"
)

const modulePath = "github.com/gmailsend/gmailsend"

// goList runs the go command in the module root and returns the module's
// packages it prints, relative to the module path.
func goList(t *testing.T, args ...string) map[string]bool {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list"}, args...)...)
	cmd.Dir = fixture.ModuleRoot(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s: %v", strings.Join(args, " "), err)
	}
	pkgs := map[string]bool{}
	for _, line := range strings.Fields(string(out)) {
		if line == modulePath {
			pkgs["."] = true
		} else if rel, ok := strings.CutPrefix(line, modulePath+"/"); ok {
			pkgs[rel] = true
		}
	}
	return pkgs
}

// isTooling is the rule docs/architecture.md's Layout section states.
func isTooling(pkg string) bool {
	return strings.HasPrefix(pkg, "dev/")
}

// layoutGroups reads docs/architecture.md's Layout section: group heading → packages.
func layoutGroups(t *testing.T) map[string][]string {
	t.Helper()
	doc := readDoc(t, "docs/architecture.md")
	start := strings.Index(doc, "\n## Layout\n")
	if start < 0 {
		t.Fatal("docs/architecture.md has no Layout section")
	}
	section := doc[start+1:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	groups := map[string][]string{}
	group := ""
	row := regexp.MustCompile("^\\| `([^`]+)` \\| [^|]+ \\|$")
	for _, line := range strings.Split(section, "\n") {
		if h, ok := strings.CutPrefix(line, "### "); ok {
			group = h
			continue
		}
		if m := row.FindStringSubmatch(line); m != nil {
			if group == "" {
				t.Fatalf("row %q comes before any group heading", line)
			}
			groups[group] = append(groups[group], m[1])
		}
	}
	return groups
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestLayoutListsEveryPackageInItsGroup ensures docs/architecture.md's Layout section names every package of `go list ./...` exactly once, product exactly what the functions link, tooling exactly what lives under dev/, and commands the rest.
func TestLayoutListsEveryPackageInItsGroup(t *testing.T) {
	all := goList(t, "./...")
	linked := map[string]bool{}
	for p := range goList(t, "-deps", "./functions/...") {
		linked[p] = true
	}
	want := map[string]map[string]bool{"Product": {}, "Commands": {}, "Development tooling": {}}
	for p := range all {
		switch {
		case linked[p]:
			want["Product"][p] = true
		case isTooling(p):
			want["Development tooling"][p] = true
		default:
			want["Commands"][p] = true
		}
	}
	groups := layoutGroups(t)
	seen := map[string]string{}
	for group, pkgs := range groups {
		if want[group] == nil {
			t.Errorf("unknown group %q in docs/architecture.md's Layout", group)
			continue
		}
		got := map[string]bool{}
		for _, p := range pkgs {
			if other, dup := seen[p]; dup {
				t.Errorf("%s is listed twice (%s and %s)", p, other, group)
			}
			seen[p] = group
			got[p] = true
		}
		if a, b := strings.Join(sortedKeys(got), " "), strings.Join(sortedKeys(want[group]), " "); a != b {
			t.Errorf("docs/architecture.md's %q group lists\n  %s\nwant\n  %s", group, a, b)
		}
	}
	for group := range want {
		if _, ok := groups[group]; !ok {
			t.Errorf("docs/architecture.md's Layout has no %q group", group)
		}
	}
}

// TestFunctionsLinkNoTooling ensures nothing under dev/ is ever linked into a Lambda function.
func TestFunctionsLinkNoTooling(t *testing.T) {
	for p := range goList(t, "-deps", "./functions/...") {
		if isTooling(p) {
			t.Errorf("a function links the development package %s", p)
		}
	}
}
