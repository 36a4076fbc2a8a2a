import type {
  InputHTMLAttributes,
  ReactNode,
  SelectHTMLAttributes,
  TextareaHTMLAttributes,
} from 'react';
import { useCallback, useId, useState } from 'react';
import './form-fields.css';

/**
 * A form's fields: each a label, the control and an optional hint under it (the control
 * described by it), holding text as typed. The text is the form's to turn into a request body:
 * the API checks it and says what is wrong.
 */

/** What every field takes: its label and hint, and its value as text with a setter. */
interface FieldProps {
  label: string;
  hint?: ReactNode;
  name: string;
  value: string;
  onValue: (value: string) => void;
}

type Native<A> = Omit<A, 'id' | 'name' | 'value' | 'onChange' | 'aria-describedby'>;

/**
 * A form's text, one string a field, kept while the form is open (so a refused submit keeps
 * what was typed). `bind(name)` gives a field its name, value and setter.
 */
export function useFields<T extends Record<string, string>>(initial: T | (() => T)) {
  const [values, setValues] = useState<T>(initial);
  const set = useCallback((patch: Partial<T>) => {
    setValues((old) => ({ ...old, ...patch }));
  }, []);
  const bind = <K extends keyof T & string>(name: K) => ({
    name,
    value: values[name],
    onValue: (value: string) => {
      set({ [name]: value } as Partial<T>);
    },
  });
  return { values, set, bind };
}

/** A control's change handler that hands on its text. */
const changeText =
  (onValue: (value: string) => void) =>
  (event: { target: { value: string } }): void => {
    onValue(event.target.value);
  };

function Field({
  label,
  hint,
  children,
}: {
  label: string;
  hint: ReactNode;
  children: (props: { id: string; 'aria-describedby'?: string }) => ReactNode;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className="form-row">
      <label htmlFor={id}>{label}</label>
      {children(hint === undefined ? { id } : { id, 'aria-describedby': hintId })}
      {hint !== undefined && (
        <span id={hintId} className="muted hint">
          {hint}
        </span>
      )}
    </div>
  );
}

/** A one-line text field; `suggestions` are offered as the user types, any text is allowed. */
export function TextField({
  label,
  hint,
  value,
  onValue,
  suggestions,
  ...input
}: FieldProps & { suggestions?: readonly string[] } & Native<
    InputHTMLAttributes<HTMLInputElement>
  >) {
  return (
    <Field label={label} hint={hint}>
      {(props) => (
        <>
          <input
            {...input}
            {...props}
            {...(suggestions === undefined ? {} : { list: `${props.id}-suggestions` })}
            value={value}
            onChange={changeText(onValue)}
          />
          {suggestions !== undefined && (
            <datalist id={`${props.id}-suggestions`}>
              {suggestions.map((suggestion) => (
                <option key={suggestion} value={suggestion} />
              ))}
            </datalist>
          )}
        </>
      )}
    </Field>
  );
}

type InputFieldProps = FieldProps & Native<InputHTMLAttributes<HTMLInputElement>>;

/** A count, typed as digits (a phone shows its number pad). */
export function WholeField(props: InputFieldProps) {
  return <TextField inputMode="numeric" autoComplete="off" {...props} />;
}

/** A decimal such as a price, typed as text so that the API parses it exactly. */
export function DecimalField(props: InputFieldProps) {
  return <TextField inputMode="decimal" autoComplete="off" {...props} />;
}

/** A month, `YYYY-MM`, as the API's periods are written. */
export function MonthField(props: InputFieldProps) {
  return <TextField type="month" {...props} />;
}

/** A choice of `options`, each a value and the text shown for it. */
export function SelectField({
  label,
  hint,
  value,
  onValue,
  options,
  ...select
}: FieldProps & {
  options: readonly { value: string; label: string }[];
} & Native<SelectHTMLAttributes<HTMLSelectElement>>) {
  return (
    <Field label={label} hint={hint}>
      {(props) => (
        <select {...select} {...props} value={value} onChange={changeText(onValue)}>
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** Free text over a few lines: a reason, a note. */
export function TextAreaField({
  label,
  hint,
  value,
  onValue,
  ...textarea
}: FieldProps & Native<TextareaHTMLAttributes<HTMLTextAreaElement>>) {
  return (
    <Field label={label} hint={hint}>
      {(props) => (
        <textarea {...textarea} {...props} value={value} onChange={changeText(onValue)} />
      )}
    </Field>
  );
}
