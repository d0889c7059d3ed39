package samtemplate

import (
	"fmt"
	"path"
	"strings"
)

// Statement is one IAM policy statement as deployed: every intrinsic
// resolved (Deep), one action or resource per entry.
type Statement struct {
	Sid       string
	Effect    string
	Actions   []string
	Resources []string
	// Condition is operator → condition key → values.
	Condition map[string]map[string][]string
}

// Request is one call a function makes, as IAM sees it.
type Request struct {
	Action   string // "dynamodb:PutItem"
	Resource string // the ARN called on
	// Context holds the request's condition keys (dynamodb:LeadingKeys:
	// the partition keys it touches).
	Context map[string][]string
}

// FunctionStatements are the inline policy statements of the SAM function
// id, resolved for the resolver's parameters.
func (r *Resolver) FunctionStatements(id string) ([]Statement, error) {
	res, _ := r.tpl["Resources"].(map[string]any)
	fn, _ := res[id].(map[string]any)
	props, _ := fn["Properties"].(map[string]any)
	policies, err := r.Deep(props["Policies"])
	if err != nil {
		return nil, err
	}
	var out []Statement
	list, _ := policies.([]any)
	for _, p := range list {
		m, ok := p.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("samtemplate: %s has a policy that is not an inline statement list: %v", id, p)
		}
		stmts, _ := m["Statement"].([]any)
		for _, s := range stmts {
			st, err := statement(s)
			if err != nil {
				return nil, err
			}
			out = append(out, st)
		}
	}
	return out, nil
}

// RoleStatements are the inline policy statements of the IAM role id.
func (r *Resolver) RoleStatements(id string) ([]Statement, error) {
	res, _ := r.tpl["Resources"].(map[string]any)
	role, _ := res[id].(map[string]any)
	props, _ := role["Properties"].(map[string]any)
	policies, err := r.Deep(props["Policies"])
	if err != nil {
		return nil, err
	}
	var out []Statement
	list, _ := policies.([]any)
	for _, p := range list {
		doc, _ := p.(map[string]any)["PolicyDocument"].(map[string]any)
		stmts, _ := doc["Statement"].([]any)
		for _, s := range stmts {
			st, err := statement(s)
			if err != nil {
				return nil, err
			}
			out = append(out, st)
		}
	}
	return out, nil
}

func statement(v any) (Statement, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return Statement{}, fmt.Errorf("samtemplate: not a statement: %v", v)
	}
	st := Statement{Sid: fmt.Sprint(m["Sid"]), Effect: fmt.Sprint(m["Effect"]),
		Actions: strs(m["Action"]), Resources: strs(m["Resource"])}
	if c, ok := m["Condition"].(map[string]any); ok {
		st.Condition = map[string]map[string][]string{}
		for op, keys := range c {
			st.Condition[op] = map[string][]string{}
			km, _ := keys.(map[string]any)
			for k, vals := range km {
				st.Condition[op][k] = strs(vals)
			}
		}
	}
	if _, nr := m["NotResource"]; nr {
		return st, fmt.Errorf("samtemplate: NotResource is not supported: %v", m)
	}
	if _, na := m["NotAction"]; na {
		return st, fmt.Errorf("samtemplate: NotAction is not supported: %v", m)
	}
	return st, nil
}

func strs(v any) []string {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		out := make([]string, len(x))
		for i, e := range x {
			out[i] = fmt.Sprint(e)
		}
		return out
	}
	return []string{fmt.Sprint(v)}
}

// Allowed reports whether statements allow req, as IAM evaluates an
// identity policy with no resource policy: some Allow statement matches
// the action, the resource and every condition, and no Deny does. A
// condition operator it does not know never matches (it fails closed).
func Allowed(statements []Statement, req Request) bool {
	allowed := false
	for _, st := range statements {
		if !st.matches(req) {
			continue
		}
		if st.Effect == "Deny" {
			return false
		}
		if st.Effect == "Allow" {
			allowed = true
		}
	}
	return allowed
}

func (st Statement) matches(req Request) bool {
	if !anyGlob(st.Actions, req.Action, true) || !anyGlob(st.Resources, req.Resource, false) {
		return false
	}
	for op, keys := range st.Condition {
		for key, want := range keys {
			if !condition(op, want, req.Context[key]) {
				return false
			}
		}
	}
	return true
}

// condition evaluates one operator over the request's values for a key.
func condition(op string, want, got []string) bool {
	switch op {
	case "StringEquals", "StringLike":
		// A single-valued key: one value, matching one of want.
		return len(got) == 1 && anyMatch(op, want, got[0])
	case "ForAllValues:StringEquals", "ForAllValues:StringLike":
		// Every value the request has must match; IAM also allows a
		// request with none, which no table call here makes.
		for _, g := range got {
			if !anyMatch(strings.TrimPrefix(op, "ForAllValues:"), want, g) {
				return false
			}
		}
		return true
	}
	return false
}

func anyMatch(op string, want []string, got string) bool {
	for _, w := range want {
		if op == "StringEquals" && w == got || op == "StringLike" && glob(w, got, false) {
			return true
		}
	}
	return false
}

func anyGlob(patterns []string, s string, fold bool) bool {
	for _, p := range patterns {
		if glob(p, s, fold) {
			return true
		}
	}
	return false
}

// glob matches IAM's wildcards: * any run of characters (slashes too), ?
// one character.
func glob(pattern, s string, fold bool) bool {
	if fold {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	// path.Match stops * at "/", which IAM does not: match with the
	// slashes swapped for a character neither can hold.
	const sep = "\x00"
	pattern = strings.ReplaceAll(strings.ReplaceAll(pattern, "[", `\[`), "/", sep)
	ok, err := path.Match(pattern, strings.ReplaceAll(s, "/", sep))
	return err == nil && ok
}
