package notify

import (
	"fmt"
	"strings"
)

// Error is a refusal of a notification configuration, in S3's terms: an
// error code, AWS's message, and the arguments S3 names in its error XML.
type Error struct {
	Code    string
	Message string
	// Arguments are rendered as ArgumentName/ArgumentValue pairs.
	Arguments []Argument
	// Numbered renders them ArgumentName1, ArgumentValue1, ... as S3 does
	// for destination errors.
	Numbered bool
}

// Argument is one ArgumentName/ArgumentValue pair of an S3 error.
type Argument struct{ Name, Value string }

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// AWS's messages for notification configuration errors. The first three are
// documented (FIDELITY.md); the rest are unverified paraphrases of what S3
// answers, each kept in one place.
const (
	MsgOverlap     = "Configurations overlap. Configurations on the same bucket cannot share a common event type."
	MsgAmbiguous   = "Configuration is ambiguously defined. Cannot have overlapping suffixes in two rules if the prefixes are overlapping for the same event type."
	MsgDestination = "Unable to validate the following destination configurations"
	// unverified
	msgUnknownEvent   = "The event is not supported for notifications"
	msgNoEvent        = "At least one event must be specified for a notification configuration"
	msgRuleName       = "filter rule name must be either prefix or suffix"
	msgTwoPrefixes    = "Cannot specify more than one prefix rule in a filter."
	msgTwoSuffixes    = "Cannot specify more than one suffix rule in a filter."
	msgRuleTooLong    = "The filter rule value cannot be longer than 1024 characters"
	msgRuleWildcard   = "Wildcards are not supported in filter rule values"
	msgDuplicateID    = "Same ID used for multiple configurations. IDs must be unique"
	msgIDTooLong      = "The configuration ID cannot be longer than 255 characters"
	msgEventBridge    = "EventBridge destinations are not supported by lambdalab"
	maxFilterValueLen = 1024
)

// supportedEvents are the event types S3 accepts in a configuration.
var supportedEvents = map[string]bool{
	"s3:ObjectCreated:*": true, "s3:ObjectCreated:Put": true, "s3:ObjectCreated:Post": true,
	"s3:ObjectCreated:Copy": true, "s3:ObjectCreated:CompleteMultipartUpload": true,
	"s3:ObjectRemoved:*": true, "s3:ObjectRemoved:Delete": true, "s3:ObjectRemoved:DeleteMarkerCreated": true,
	"s3:ObjectRestore:*": true, "s3:ObjectRestore:Post": true, "s3:ObjectRestore:Completed": true,
	"s3:ObjectRestore:Delete": true, "s3:ReducedRedundancyLostObject": true,
	"s3:Replication:*": true, "s3:Replication:OperationFailedReplication": true,
	"s3:Replication:OperationMissedThreshold": true, "s3:Replication:OperationReplicatedAfterThreshold": true,
	"s3:Replication:OperationNotTracked": true,
	"s3:LifecycleExpiration:*":           true, "s3:LifecycleExpiration:Delete": true,
	"s3:LifecycleExpiration:DeleteMarkerCreated": true, "s3:LifecycleTransition": true,
	"s3:IntelligentTiering": true, "s3:ObjectTagging:*": true, "s3:ObjectTagging:Put": true,
	"s3:ObjectTagging:Delete": true, "s3:ObjectAcl:Put": true,
}

// eventMatches reports whether a configured event type (possibly a "…:*"
// wildcard) selects the concrete event name.
func eventMatches(pattern, name string) bool {
	if family, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(name, family)
	}
	return pattern == name
}

// eventsIntersect reports whether two configured event types can select the
// same event.
func eventsIntersect(a, b string) bool {
	return eventMatches(a, b) || eventMatches(b, a)
}

// Validator checks configurations as S3 does before storing them.
type Validator struct {
	// FunctionExists reports whether a Lambda function ARN names a function S3
	// may invoke. Nil accepts every function.
	FunctionExists func(arn string) bool
	// SkipDestinationValidation mirrors the x-amz-skip-destination-validation
	// header.
	SkipDestinationValidation bool
}

// rule is the common view of the three configuration kinds.
type rule struct {
	id, kind, arn  string
	events         []string
	prefix, suffix string
	filter         *Filter
}

func rules(c *NotificationConfiguration) []rule {
	var out []rule
	for _, t := range c.TopicConfigurations {
		out = append(out, rule{id: t.ID, kind: "topic", arn: t.TopicArn, events: t.Events, filter: t.Filter})
	}
	for _, q := range c.QueueConfigurations {
		out = append(out, rule{id: q.ID, kind: "queue", arn: q.QueueArn, events: q.Events, filter: q.Filter})
	}
	for _, l := range c.LambdaFunctionConfigurations {
		out = append(out, rule{id: l.ID, kind: "lambda", arn: l.LambdaFunctionArn, events: l.Events, filter: l.Filter})
	}
	for i := range out {
		out[i].prefix, out[i].suffix = prefixSuffix(out[i].filter)
	}
	return out
}

// Validate returns nil when S3 would accept c, or the *Error S3 would answer.
func (v Validator) Validate(c *NotificationConfiguration) error {
	if c.EventBridgeConfiguration != nil {
		return invalid(msgEventBridge, Argument{"EventBridgeConfiguration", ""})
	}
	rs := rules(c)
	seen := map[string]bool{}
	for _, r := range rs {
		if err := validateRule(r); err != nil {
			return err
		}
		if r.id != "" {
			if seen[r.id] {
				return invalid(msgDuplicateID, Argument{"Id", r.id})
			}
			seen[r.id] = true
		}
	}
	for i := range rs {
		for j := i + 1; j < len(rs); j++ {
			if err := overlap(rs[i], rs[j]); err != nil {
				return err
			}
		}
	}
	if v.SkipDestinationValidation {
		return nil
	}
	var bad []Argument
	for _, r := range rs {
		if r.kind != "lambda" || (v.FunctionExists != nil && !v.FunctionExists(r.arn)) {
			bad = append(bad, Argument{r.arn, destinationReason(r)})
		}
	}
	if len(bad) > 0 {
		return &Error{Code: "InvalidArgument", Message: MsgDestination, Arguments: bad, Numbered: true}
	}
	return nil
}

// destinationReason is the ArgumentValue S3 gives for an unusable destination
// (unverified wording).
func destinationReason(r rule) string {
	switch r.kind {
	case "topic":
		return "Permissions on the destination topic do not allow S3 to publish notifications from this bucket"
	case "queue":
		return "Permissions on the destination queue do not allow S3 to publish notifications from this bucket"
	}
	return fmt.Sprintf("Not authorized to invoke function [%s]", r.arn)
}

func invalid(msg string, arg Argument) *Error {
	return &Error{Code: "InvalidArgument", Message: msg, Arguments: []Argument{arg}}
}

func validateRule(r rule) error {
	if len(r.id) > 255 {
		return invalid(msgIDTooLong, Argument{"Id", r.id})
	}
	if len(r.events) == 0 {
		return invalid(msgNoEvent, Argument{"Event", ""})
	}
	for _, e := range r.events {
		if !supportedEvents[e] {
			return invalid(msgUnknownEvent, Argument{"Event", e})
		}
	}
	if r.filter == nil {
		return nil
	}
	var prefixes, suffixes int
	for _, fr := range r.filter.Key.FilterRules {
		switch strings.ToLower(fr.Name) {
		case "prefix":
			prefixes++
		case "suffix":
			suffixes++
		default:
			return invalid(msgRuleName, Argument{"FilterRule.Name", fr.Name})
		}
		if len(fr.Value) > maxFilterValueLen {
			return invalid(msgRuleTooLong, Argument{"FilterRule.Value", fr.Value})
		}
		if strings.ContainsAny(fr.Value, "*?") {
			return invalid(msgRuleWildcard, Argument{"FilterRule.Value", fr.Value})
		}
	}
	if prefixes > 1 {
		return invalid(msgTwoPrefixes, Argument{"FilterRule", "prefix"})
	}
	if suffixes > 1 {
		return invalid(msgTwoSuffixes, Argument{"FilterRule", "suffix"})
	}
	return nil
}

// overlap applies S3's rule: two configurations may not share an event type
// when some key could match both filters.
func overlap(a, b rule) error {
	shared := ""
	for _, ea := range a.events {
		for _, eb := range b.events {
			if eventsIntersect(ea, eb) {
				shared = ea
				break
			}
		}
	}
	if shared == "" {
		return nil
	}
	prefixesOverlap := strings.HasPrefix(a.prefix, b.prefix) || strings.HasPrefix(b.prefix, a.prefix)
	suffixesOverlap := strings.HasSuffix(a.suffix, b.suffix) || strings.HasSuffix(b.suffix, a.suffix)
	if !prefixesOverlap || !suffixesOverlap {
		return nil
	}
	if a.suffix != "" || b.suffix != "" {
		return invalid(MsgAmbiguous, Argument{"Event", shared})
	}
	return invalid(MsgOverlap, Argument{"Event", shared})
}

// AssignIDs gives every configuration without an Id one made by newID, as S3
// does.
func AssignIDs(c *NotificationConfiguration, newID func() string) {
	for i := range c.LambdaFunctionConfigurations {
		if c.LambdaFunctionConfigurations[i].ID == "" {
			c.LambdaFunctionConfigurations[i].ID = newID()
		}
	}
	for i := range c.QueueConfigurations {
		if c.QueueConfigurations[i].ID == "" {
			c.QueueConfigurations[i].ID = newID()
		}
	}
	for i := range c.TopicConfigurations {
		if c.TopicConfigurations[i].ID == "" {
			c.TopicConfigurations[i].ID = newID()
		}
	}
}
