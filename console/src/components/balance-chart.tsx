import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatTime } from '../format';
import type { BalanceSeries } from '../types';
import { TableRegion } from './table-region';

/**
 * Points by change, not by time: the x axis is each change's place in the series (evenly
 * spaced), labelled with its time. On a time axis a burst of changes within a second, in an
 * account's life of months, is one vertical line. Only the plot uses Number(balance): every
 * figure in text is the API's exact decimal string.
 */
export function plotted(series: BalanceSeries) {
  return series.points.map((point, index) => ({ index, at: point.at, value: Number(point.balance), balance: point.balance }));
}

function describe(series: BalanceSeries): string {
  const first = series.points[0];
  const last = series.points[series.points.length - 1];
  if (!first || !last) return `No ${series.currency} balance history yet.`;
  return `Line chart of the ${series.currency} balance over time, change by change (evenly spaced, labelled with their times), ${series.points.length} point${series.points.length === 1 ? '' : 's'}: ${first.balance} on ${formatTime(first.at)}, then ${last.balance} on ${formatTime(last.at)}. The same data is in the table below it.`;
}

const shortDate = (at: string | undefined) => (at ? at.slice(5, 16).replace('T', ' ') : '');

const changeLabel = (data: ReturnType<typeof plotted>, index: number) => {
  const at = data[index]?.at;
  return at ? `Change ${index + 1}: ${formatTime(at)}` : '';
};

/** One currency's balance over time, with its points as a table for those who do not see the chart. */
export function BalanceChart({ series }: { series: BalanceSeries }) {
  const data = plotted(series);
  return (
    <figure className="chart">
      <figcaption>
        <h3>{series.currency}</h3>
      </figcaption>
      <div role="img" aria-label={describe(series)} className="chart-plot">
        <ResponsiveContainer width="100%" height={240}>
          <LineChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 8 }} accessibilityLayer={false}>
            <CartesianGrid stroke="#d0d4db" strokeDasharray="3 3" />
            <XAxis dataKey="index" type="category" tickFormatter={(index: number) => shortDate(data[index]?.at)} interval="preserveStartEnd" minTickGap={24} stroke="#374151" fontSize={12} />
            <YAxis stroke="#374151" fontSize={12} width={72} />
            <Tooltip labelFormatter={(index) => changeLabel(data, Number(index))} formatter={(_value, _name, item) => [String((item.payload as { balance: string }).balance), series.currency]} />
            <Line type="stepAfter" dataKey="value" name={series.currency} stroke="#1d4ed8" strokeWidth={2} dot={{ r: 3 }} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </div>
      <details>
        <summary>{series.currency} balance points as a table</summary>
        <TableRegion label={`${series.currency} balance points`}>
          <table>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Balance</th>
              </tr>
            </thead>
            <tbody>
              {series.points.map((point, index) => (
                <tr key={`${point.at}-${index}`}>
                  <td>{formatTime(point.at)}</td>
                  <td className="amount">
                    {point.balance} {series.currency}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      </details>
    </figure>
  );
}
