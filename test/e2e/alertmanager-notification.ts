/** One alert of a test notification: its labels (alertname first) and identity. */
export interface TestAlert {
  labels: Record<string, string> & { alertname: string };
  summary: string;
  fingerprint: string;
  /** When it resolved, for a `resolved` notification. */
  endsAt: string;
}

/** Where the notification says it comes from, and the labels its group has in common. */
export interface TestGroup {
  externalURL: string;
  commonLabels: Record<string, string>;
}

/**
 * An Alertmanager webhook notification (version 4) of one alert, as Alertmanager posts it:
 * grouped by alertname, `startsAt` fixed so a repost is a redelivery of the same episode.
 */
export function alertmanagerNotification(status: 'firing' | 'resolved', alert: TestAlert, group: TestGroup) {
  const { alertname } = alert.labels;
  const { externalURL, commonLabels } = group;
  return {
    version: '4',
    groupKey: `{}:{alertname="${alertname}"}`,
    truncatedAlerts: 0,
    status,
    receiver: 'homeostat',
    groupLabels: { alertname },
    commonLabels,
    commonAnnotations: {},
    externalURL,
    alerts: [
      {
        status,
        labels: alert.labels,
        annotations: { summary: alert.summary },
        startsAt: '2026-12-07T15:00:00.000Z',
        endsAt: status === 'resolved' ? alert.endsAt : '0001-01-01T00:00:00Z',
        generatorURL: `${externalURL}/graph`,
        fingerprint: alert.fingerprint,
      },
    ],
  };
}
