import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatTime } from '../format';
import type { BalanceSeries } from '../types';
import { TableRegion } from './table-region';

/** Only the plot uses Number(balance): every figure in text is the API's exact decimal string. */
function plotted(series: BalanceSeries) {
  return series.points.map((point) => ({ at: Date.parse(point.at), value: Number(point.balance), balance: point.balance }));
}

function describe(series: BalanceSeries): string {
  const first = series.points[0];
  const last = series.points[series.points.length - 1];
  if (!first || !last) return `No ${series.currency} balance history yet.`;
  return `Line chart of the ${series.currency} balance over time, ${series.points.length} point${series.points.length === 1 ? '' : 's'}: ${first.balance} on ${formatTime(first.at)}, then ${last.balance} on ${formatTime(last.at)}. The same data is in the table below it.`;
}

const shortDate = (at: number) => new Date(at).toISOString().slice(5, 16).replace('T', ' ');

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
            <XAxis dataKey="at" type="number" scale="time" domain={['dataMin', 'dataMax']} tickFormatter={shortDate} stroke="#374151" fontSize={12} />
            <YAxis stroke="#374151" fontSize={12} width={72} />
            <Tooltip labelFormatter={(at) => formatTime(new Date(Number(at)).toISOString())} formatter={(_value, _name, item) => [String((item.payload as { balance: string }).balance), series.currency]} />
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
