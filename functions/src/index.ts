// The app's entry point for the Functions host: set-up only; each function registers itself in functions/.
import { app } from '@azure/functions';

app.setup({ enableHttpStream: false });
