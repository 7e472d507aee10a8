// Package notify holds S3 bucket notification configurations: their XML
// shape, AWS's validation rules, which configurations an object change
// matches, and the event JSON a Lambda function receives.
package notify

import (
	"encoding/xml"
	"strings"
	"sync"
)

// S3Namespace is the XML namespace of S3 documents.
const S3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

// NotificationConfiguration is the document of the ?notification
// sub-resource. On the wire, Lambda configurations are CloudFunctionConfiguration
// elements whose destination is CloudFunction, as the SDKs serialise them.
type NotificationConfiguration struct {
	XMLName                      xml.Name                      `xml:"NotificationConfiguration"`
	Xmlns                        string                        `xml:"xmlns,attr,omitempty"`
	TopicConfigurations          []TopicConfiguration          `xml:"TopicConfiguration"`
	QueueConfigurations          []QueueConfiguration          `xml:"QueueConfiguration"`
	LambdaFunctionConfigurations []LambdaFunctionConfiguration `xml:"CloudFunctionConfiguration"`
	EventBridgeConfiguration     *struct{}                     `xml:"EventBridgeConfiguration"`
}

// LambdaFunctionConfiguration sends matching events to a Lambda function.
type LambdaFunctionConfiguration struct {
	ID                string   `xml:"Id,omitempty"`
	LambdaFunctionArn string   `xml:"CloudFunction"`
	Events            []string `xml:"Event"`
	Filter            *Filter  `xml:"Filter,omitempty"`
}

// TopicConfiguration sends events to an SNS topic. The lab has no topics, so
// any such configuration fails destination validation, as it would on AWS
// for a topic that does not exist.
type TopicConfiguration struct {
	ID       string   `xml:"Id,omitempty"`
	TopicArn string   `xml:"Topic"`
	Events   []string `xml:"Event"`
	Filter   *Filter  `xml:"Filter,omitempty"`
}

// QueueConfiguration sends events to an SQS queue; like topics, the lab has
// none.
type QueueConfiguration struct {
	ID       string   `xml:"Id,omitempty"`
	QueueArn string   `xml:"Queue"`
	Events   []string `xml:"Event"`
	Filter   *Filter  `xml:"Filter,omitempty"`
}

// Filter narrows a configuration to keys by prefix and suffix.
type Filter struct {
	Key KeyFilter `xml:"S3Key"`
}

// KeyFilter holds the filter rules.
type KeyFilter struct {
	FilterRules []FilterRule `xml:"FilterRule"`
}

// FilterRule is one prefix or suffix rule.
type FilterRule struct {
	Name  string `xml:"Name"`
	Value string `xml:"Value"`
}

// NewFilter returns the filter for a prefix and suffix, or nil when both are
// empty.
func NewFilter(prefix, suffix string) *Filter {
	var rules []FilterRule
	if prefix != "" {
		rules = append(rules, FilterRule{Name: "prefix", Value: prefix})
	}
	if suffix != "" {
		rules = append(rules, FilterRule{Name: "suffix", Value: suffix})
	}
	if rules == nil {
		return nil
	}
	return &Filter{Key: KeyFilter{FilterRules: rules}}
}

// PrefixSuffix returns the configuration's prefix and suffix ("" when unset).
// Rule names are case-insensitive, as in S3.
func (c LambdaFunctionConfiguration) PrefixSuffix() (prefix, suffix string) {
	return prefixSuffix(c.Filter)
}

func prefixSuffix(f *Filter) (prefix, suffix string) {
	if f == nil {
		return "", ""
	}
	for _, r := range f.Key.FilterRules {
		switch strings.ToLower(r.Name) {
		case "prefix":
			prefix = r.Value
		case "suffix":
			suffix = r.Value
		}
	}
	return prefix, suffix
}

// Matches reports whether an object change with S3 event name eventName
// (without the "s3:" prefix, e.g. "ObjectCreated:Put") on key selects this
// configuration.
func (c LambdaFunctionConfiguration) Matches(eventName, key string) bool {
	prefix, suffix := c.PrefixSuffix()
	if !strings.HasPrefix(key, prefix) || !strings.HasSuffix(key, suffix) {
		return false
	}
	for _, e := range c.Events {
		if eventMatches(e, "s3:"+eventName) {
			return true
		}
	}
	return false
}

// Store keeps each bucket's configuration. It is safe for concurrent use.
type Store struct {
	mu       sync.RWMutex
	buckets  map[string]NotificationConfiguration
	onChange func(bucket string, c NotificationConfiguration)
}

// OnChange registers f, called with a bucket's configuration each time it
// is set or deleted (empty then), in order, before Set or Delete returns.
func (s *Store) OnChange(f func(bucket string, c NotificationConfiguration)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onChange = f
}

// changed reports bucket's configuration to the OnChange function. The
// caller holds s.mu.
func (s *Store) changed(bucket string) {
	if s.onChange != nil {
		s.onChange(bucket, s.buckets[bucket])
	}
}

// NewStore returns an empty store.
func NewStore() *Store {
	return &Store{buckets: map[string]NotificationConfiguration{}}
}

// Get returns the bucket's configuration (empty when none was set).
func (s *Store) Get(bucket string) NotificationConfiguration {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c := s.buckets[bucket]
	c.Xmlns = S3Namespace
	return c
}

// Set replaces the bucket's configuration. Callers validate first.
func (s *Store) Set(bucket string, c NotificationConfiguration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(c.LambdaFunctionConfigurations) == 0 && len(c.QueueConfigurations) == 0 &&
		len(c.TopicConfigurations) == 0 && c.EventBridgeConfiguration == nil {
		delete(s.buckets, bucket)
	} else {
		s.buckets[bucket] = c
	}
	s.changed(bucket)
}

// Delete forgets the bucket's configuration, as deleting the bucket does.
func (s *Store) Delete(bucket string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.buckets, bucket)
	s.changed(bucket)
}

// Match returns the Lambda configurations of bucket that an object change
// selects, in configuration order.
func (s *Store) Match(bucket, eventName, key string) []LambdaFunctionConfiguration {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []LambdaFunctionConfiguration
	for _, c := range s.buckets[bucket].LambdaFunctionConfigurations {
		if c.Matches(eventName, key) {
			out = append(out, c)
		}
	}
	return out
}

// Buckets returns the names of buckets that have a configuration.
func (s *Store) Buckets() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]string, 0, len(s.buckets))
	for b := range s.buckets {
		out = append(out, b)
	}
	return out
}
