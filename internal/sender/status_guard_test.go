package sender

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// statusWrites are the port methods that write a record's status
// (gmailsend.Records, gmailsend.Transitions, bounce.Records).
var statusWrites = map[string]bool{"Claim": true, "Finish": true, "Move": true, "Begin": true, "BeginFrom": true}

// bounceWrites is the one write of bounce.Records (the reader's Mailbox
// has a Move of its own, which moves mail, not records).
var bounceWrites = map[string]bool{"WriteBounce": true}

// TestStatusChangesOnlyInSettle ensures no file of the send use cases but
// settle.go writes a record's status, by assigning a Status field or by
// calling a port method that writes one: every status change passes
// gmailsend.Settle and reaches the status sink.
func TestStatusChangesOnlyInSettle(t *testing.T) {
	for _, v := range statusWritesOutside(t, ".", "settle.go", statusWrites) {
		t.Errorf("%s: a status write outside settle.go; make it a function of settle.go", v)
	}
}

// TestBounceStatusOnlyInApply ensures the bounce reader writes a record
// only through bounce.Apply (its settle.go), and the table adapter holds
// no rule: it neither runs Event.Admit nor names the statuses a bounce
// leads to (gmailsend.BounceStatus decides them).
func TestBounceStatusOnlyInApply(t *testing.T) {
	for _, v := range statusWritesOutside(t, "../bounce", "settle.go", bounceWrites) {
		t.Errorf("%s: a record write outside bounce.Apply", v)
	}
	files, err := filepath.Glob("../dynamostore/*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, rule := range []string{".Admit(", "StatusBounced", "StatusDelayed", "BounceStatus("} {
			if strings.Contains(string(src), rule) {
				t.Errorf("%s uses %s: the bounce rule belongs to the domain, the adapter only persists", f, rule)
			}
		}
	}
}

// statusWritesOutside lists the status writes in dir's non-test Go files
// other than allowed: assignments to a Status field, and calls of the
// methods named in writes.
func statusWritesOutside(t *testing.T, dir, allowed string, writes map[string]bool) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files in %s: %v", dir, err)
	}
	var found []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || filepath.Base(name) == allowed {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				for _, lhs := range n.Lhs {
					if sel, ok := lhs.(*ast.SelectorExpr); ok && sel.Sel.Name == "Status" {
						found = append(found, fset.Position(n.Pos()).String()+" assigns .Status")
					}
				}
			case *ast.CallExpr:
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok && writes[sel.Sel.Name] {
					found = append(found, fset.Position(n.Pos()).String()+" calls ."+sel.Sel.Name)
				}
			}
			return true
		})
	}
	return found
}
