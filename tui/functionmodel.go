package tui

import (
	tea "charm.land/bubbletea/v2"
	"github.com/aws/aws-sdk-go-v2/aws"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// The root's part in showing functions: Detail asks, Lambda answers.

// showFunction shows a function in Detail and loads what it shows.
func (m *Model) showFunction(name string) tea.Cmd {
	return m.c.Src.loadFunction(name, m.detail.showFunction(name))
}

// reloadFunction reads a function again if Detail shows it.
func (m *Model) reloadFunction(name string) tea.Cmd {
	if m.detail.kind != detailFunction || m.detail.function != name {
		return nil
	}
	return m.c.Src.loadFunction(name, m.detail.reaskFunction())
}

// listFunctions lists the functions again.
func (m *Model) listFunctions() tea.Cmd {
	m.c.State.functionsAsked++
	return m.c.Src.listFunctions(m.c.State.functionsAsked)
}

// functionsListed takes a listing of the functions, if it is the last
// asked for.
func (m *Model) functionsListed(msg functionsMsg) {
	st := m.c.State
	if msg.asked != st.functionsAsked {
		return
	}
	if msg.err != nil {
		m.setMessage(msg.err.Error(), true)
		return
	}
	st.Functions, st.Configs = nil, map[string]lambdatypes.FunctionConfiguration{}
	for _, c := range msg.configs {
		name := aws.ToString(c.FunctionName)
		st.Functions = append(st.Functions, name)
		st.Configs[name] = c
	}
	m.labP.refresh()
	m.detail.labChanged()
}

// openFunctionAction opens the dialog a function's action key asked for,
// once the function is read: unless another dialog opened meanwhile.
func (m *Model) openFunctionAction(msg functionActionMsg) tea.Cmd {
	if m.dialog != nil {
		return nil
	}
	if msg.err != nil {
		m.setMessage(msg.err.Error(), true)
		return nil
	}
	switch msg.action {
	case actEdit:
		m.openDialog(newFunctionDialog(m.c, msg.function, msg.conf))
	case actPolicy:
		m.openDialog(newPolicyDialog(m.c, msg.function, msg.policy))
	case actLayer:
		if msg.conf.Runtime == "" {
			m.setMessage(msg.function+" runs a built-in handler: layers are for functions of their own code (a runtime and code)", true)
			return nil
		}
		var current []string
		for _, l := range msg.conf.Layers {
			current = append(current, aws.ToString(l.Arn))
		}
		m.openDialog(newLayerDialog(m.c, msg.function, current))
	}
	return nil
}
