console.log('never: the file does not compile');
let x = ;
