/** @type {import('prettier').Config} */

// OCA 18.0 prettier configuration (oca-addons-repo-template), prettier 3.3.3 with
// @prettier/plugin-xml 3.4.1. `./rs lint` installs both outside the repository
// ($RS_STATE/node) and sets NODE_PATH so that require.resolve below finds the plugin.
const config = {
  // https://github.com/prettier/prettier/issues/15388#issuecomment-1717746872
  plugins: [require.resolve("@prettier/plugin-xml")],
  bracketSpacing: false,
  printWidth: 88,
  proseWrap: "always",
  semi: true,
  trailingComma: "es5",
  xmlWhitespaceSensitivity: "preserve",
};

module.exports = config;
