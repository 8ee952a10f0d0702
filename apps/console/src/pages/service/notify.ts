import { notifications } from '@mantine/notifications';
import { t } from '../../i18n/t';
import { errorText } from '../../ui/query-state';

/** A short notice of what the CRM recorded (its close button labelled for screen readers). */
export function notifyDone(message: string): void {
  notifications.show({ color: 'teal', message });
}

/** The CRM's refusal of a command (its problem, with each invalid field). */
export function notifyError(error: unknown): void {
  notifications.show({ color: 'red', title: t('error'), message: errorText(error) });
}
