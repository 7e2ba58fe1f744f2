// A connector's configuration form, rendered from its spec's JSON Schema by react-jsonschema-form and
// checked in the browser with ajv before the server checks it again. A chunk of its own: rjsf and ajv
// load with the first form.
import Form from '@rjsf/core';
import type { MultiSchemaFieldTemplateProps, RJSFSchema } from '@rjsf/utils';
import validator from '@rjsf/validator-ajv8';
import { isValidElement, useMemo, type ReactNode } from 'react';
import type { JsonObject } from '../types';
import { uiSchemaOf } from './ui-schema';

export interface ConnectorFormProps {
  /** the spec's connectionSpecification */
  schema: JsonObject;
  value: Record<string, unknown>;
  onChange: (value: Record<string, unknown>) => void;
  /** called with the configuration once it fits the schema; fields of no option left behind are dropped */
  onSubmit: (value: Record<string, unknown>) => void;
  disabled?: boolean;
  /** the form's buttons */
  children: ReactNode;
}

/**
 * A oneOf (postgres's `ssl_mode`…): rjsf's own template shows the options' select without the field's
 * title or description, so this one labels the select with them.
 */
function OptionsTemplate({ schema, selector, optionSchemaField }: MultiSchemaFieldTemplateProps) {
  const selectId = isValidElement<{ id?: string }>(selector) ? selector.props.id : undefined;
  return (
    <div className="options-field">
      {schema.title && (
        <label className="control-label" htmlFor={selectId}>
          {schema.title}
        </label>
      )}
      {schema.description && <div className="field-description">{schema.description}</div>}
      {selector}
      {optionSchemaField}
    </div>
  );
}

const TEMPLATES = { MultiSchemaFieldTemplate: OptionsTemplate };

export default function ConnectorForm({
  schema,
  value,
  onChange,
  onSubmit,
  disabled,
  children,
}: ConnectorFormProps) {
  // the spec's own title ("Postgres Destination Spec") says nothing the page does not
  const formSchema = useMemo(() => ({ ...schema, title: undefined }) as RJSFSchema, [schema]);
  const uiSchema = useMemo(() => uiSchemaOf(schema), [schema]);
  return (
    <Form
      className="connector-form"
      idPrefix="config"
      schema={formSchema}
      uiSchema={uiSchema}
      templates={TEMPLATES}
      validator={validator}
      formData={value}
      onChange={(event) => onChange(event.formData as Record<string, unknown>)}
      onSubmit={(event) => onSubmit(event.formData as Record<string, unknown>)}
      omitExtraData
      noHtml5Validate
      showErrorList={false}
      focusOnFirstError
      disabled={disabled}
    >
      {children}
    </Form>
  );
}
