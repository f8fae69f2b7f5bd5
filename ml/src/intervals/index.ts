export { intervalBin, priceInterval, type PriceInterval } from './price-interval';
