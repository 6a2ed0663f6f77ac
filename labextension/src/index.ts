import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-dlops:plugin',
  autoStart: true,
  activate: (app: JupyterFrontEnd) => {
    console.log('jupyter-dlops is activated', app.name);
  }
};
export default plugin;
