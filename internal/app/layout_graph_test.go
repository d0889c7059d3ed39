package app_test

import (
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend/dev/fixture"
)

// graphCommands are the shell lines of docs/architecture.md's "The import
// graph" section that print a Graphviz graph.
func graphCommands(t *testing.T) []string {
	t.Helper()
	doc := readDoc(t, "docs/architecture.md")
	start := strings.Index(doc, "\n## The import graph\n")
	if start < 0 {
		t.Fatal("docs/architecture.md has no section \"The import graph\"")
	}
	var out []string
	for _, block := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(doc[start:], -1) {
		for _, line := range strings.Split(block[1], "\n") {
			if strings.HasPrefix(line, "{ echo 'digraph") {
				out = append(out, line)
			}
		}
	}
	return out
}

// drawnEdges runs one of the doc's commands in the module root and returns
// its edges as "from -> to", checking that every line is Graphviz.
func drawnEdges(t *testing.T, command string) []string {
	t.Helper()
	cmd := exec.Command("sh", "-c", command)
	cmd.Dir = fixture.ModuleRoot(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v", command, err)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) < 3 || lines[0] != "digraph imports {" || lines[len(lines)-1] != "}" {
		t.Fatalf("%s printed no graph:\n%s", command, out)
	}
	edge := regexp.MustCompile(`^  "([^"]+)" -> "([^"]+)";$`)
	var edges []string
	for _, l := range lines[1 : len(lines)-1] {
		m := edge.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("%s printed a line that is no edge: %q", command, l)
		}
		edges = append(edges, m[1]+" -> "+m[2])
	}
	sort.Strings(edges)
	return edges
}

// listedEdges are the imports between the module's packages that go list
// reports for args, named as the doc's graph names them
// ("gmailsend/internal/app").
func listedEdges(t *testing.T, args ...string) []string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list", "-f", "{{.ImportPath}}{{range .Imports}} {{.}}{{end}}"}, args...)...)
	cmd.Dir = fixture.ModuleRoot(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %v: %v", args, err)
	}
	short := func(p string) string { return strings.TrimPrefix(p, "github.com/gmailsend/") }
	inModule := func(p string) bool { return p == modulePath || strings.HasPrefix(p, modulePath+"/") }
	var edges []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		for _, imp := range f[1:] {
			if inModule(imp) {
				edges = append(edges, short(f[0])+" -> "+short(imp))
			}
		}
	}
	sort.Strings(edges)
	return edges
}

// TestImportGraphCommandsDrawTheCode ensures the two commands docs/architecture.md prints draw exactly the imports between the module's packages that go list reports — all of them, and those of what the functions link — and that the second shows no tooling package.
func TestImportGraphCommandsDrawTheCode(t *testing.T) {
	cmds := graphCommands(t)
	if len(cmds) != 2 {
		t.Fatalf("docs/architecture.md shows %d graph commands, want 2 (every package; what the functions link)", len(cmds))
	}
	for i, want := range [][]string{listedEdges(t, "./..."), listedEdges(t, "-deps", "./functions/...")} {
		got := drawnEdges(t, cmds[i])
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s draws\n  %s\ngo list reports\n  %s", cmds[i], strings.Join(got, "\n  "), strings.Join(want, "\n  "))
		}
		if len(got) == 0 {
			t.Errorf("%s draws no edge", cmds[i])
		}
	}
	for _, e := range drawnEdges(t, cmds[1]) {
		for _, p := range strings.Split(e, " -> ") {
			if isTooling(strings.TrimPrefix(strings.TrimPrefix(p, "gmailsend"), "/")) {
				t.Errorf("the graph of what the functions link shows the tooling package %s", p)
			}
		}
	}
}
