package dynamostream

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
)

// target is one item a write request may change.
type target struct {
	table string
	key   json.RawMessage // wire JSON of the key attributes only
}

// errNotCaptured says a request is not one the proxy records (malformed,
// or missing its key): it is forwarded as it is and dynalite refuses it,
// so no write goes unrecorded.
var errNotCaptured = errors.New("dynamostream: request not captured")

// writeTargets reads which items a write request may change. keyOf projects
// a PutItem's item onto its table's key (it may call DescribeTable).
func writeTargets(op string, body []byte, keyOf func(table string, item json.RawMessage) (json.RawMessage, error)) ([]target, error) {
	var req struct {
		TableName    string
		Key          json.RawMessage
		Item         json.RawMessage
		RequestItems map[string][]struct {
			PutRequest    *struct{ Item json.RawMessage }
			DeleteRequest *struct{ Key json.RawMessage }
		}
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, fmt.Errorf("%w: %v", errNotCaptured, err)
	}
	switch op {
	case "UpdateItem", "DeleteItem":
		if req.TableName == "" || len(req.Key) == 0 {
			return nil, errNotCaptured
		}
		return []target{{table: req.TableName, key: req.Key}}, nil
	case "PutItem":
		if req.TableName == "" || len(req.Item) == 0 {
			return nil, errNotCaptured
		}
		key, err := keyOf(req.TableName, req.Item)
		if err != nil {
			return nil, err
		}
		return []target{{table: req.TableName, key: key}}, nil
	case "BatchWriteItem":
		return batchTargets(req.RequestItems, keyOf)
	}
	return nil, nil
}

func batchTargets(items map[string][]struct {
	PutRequest    *struct{ Item json.RawMessage }
	DeleteRequest *struct{ Key json.RawMessage }
}, keyOf func(string, json.RawMessage) (json.RawMessage, error)) ([]target, error) {
	var out []target
	// Sorted, so a batch's records come in a stable order whatever order
	// the JSON object's tables came in.
	tables := make([]string, 0, len(items))
	for t := range items {
		tables = append(tables, t)
	}
	slices.Sort(tables)
	for _, table := range tables {
		for _, w := range items[table] {
			switch {
			case w.PutRequest != nil:
				key, err := keyOf(table, w.PutRequest.Item)
				if err != nil {
					return nil, err
				}
				out = append(out, target{table: table, key: key})
			case w.DeleteRequest != nil:
				out = append(out, target{table: table, key: w.DeleteRequest.Key})
			default:
				return nil, errNotCaptured
			}
		}
	}
	return out, nil
}

// projectKey keeps the key attributes of an item, in wire JSON.
func projectKey(item json.RawMessage, keyNames []string) (json.RawMessage, error) {
	var attrs map[string]json.RawMessage
	if err := json.Unmarshal(item, &attrs); err != nil {
		return nil, fmt.Errorf("%w: item: %v", errNotCaptured, err)
	}
	key := make(map[string]json.RawMessage, len(keyNames))
	for _, name := range keyNames {
		v, ok := attrs[name]
		if !ok {
			return nil, fmt.Errorf("%w: item lacks key attribute %s", errNotCaptured, name)
		}
		key[name] = v
	}
	return json.Marshal(key)
}
