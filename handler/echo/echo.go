// Package echo is the first function a student should look at: it logs the
// event it received, pretty-printed, and returns it unchanged.
package echo

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/lambdalab/lambdalab/handler/sandbox"
)

// Handle logs the event and returns it.
func Handle(ctx context.Context, event json.RawMessage) (json.RawMessage, error) {
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, event, "", "  "); err != nil {
		pretty.Reset()
		pretty.Write(event)
	}
	sandbox.Logf(ctx, "received event:\n%s", pretty.String())
	return event, nil
}
